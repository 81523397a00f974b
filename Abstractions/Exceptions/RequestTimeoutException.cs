namespace Agents.Abstractions;

/// <summary>No response arrived within the request's time-to-live. The request may or may not have run;
/// if it had not started, it was dropped.</summary>
public sealed class RequestTimeoutException(string message) : GrainRuntimeException(message);
