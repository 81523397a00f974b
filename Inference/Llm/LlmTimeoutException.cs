namespace Agents.Inference.Llm;

/// <summary>
/// A request to the model endpoint did not complete within <see cref="LlmEndpointOptions.RequestTimeout"/>
/// on any attempt. Distinct from <see cref="OperationCanceledException"/>, which means the caller cancelled.
/// </summary>
public sealed class LlmTimeoutException(string message, TimeSpan timeout, int attempts, Exception? inner = null) : TimeoutException(message, inner)
{
    public TimeSpan Timeout { get; } = timeout;
    public int Attempts { get; } = attempts;
}
