namespace Agents.Abstractions;

/// <summary>Grain code threw. Carries the original exception's type name and message (and, when the call
/// was local, the original exception as <see cref="Exception.InnerException"/>).</summary>
public sealed class RemoteGrainException : Exception
{
    public RemoteGrainException(string exceptionType, string remoteMessage, string? remoteStackTrace, Exception? inner = null)
        : base($"{exceptionType}: {remoteMessage}", inner)
    {
        ExceptionType = exceptionType;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Full name of the exception type the grain threw, e.g. <c>System.InvalidOperationException</c>.</summary>
    public string ExceptionType { get; }
    public string RemoteMessage { get; }
    public string? RemoteStackTrace { get; }
}
