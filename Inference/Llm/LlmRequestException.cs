namespace Agents.Inference.Llm;

/// <summary>
/// The endpoint answered with an error (or could not be reached) and retrying did not help or was
/// pointless (4xx other than 408/429). <see cref="Status"/> is 0 when no HTTP answer arrived.
/// </summary>
public sealed class LlmRequestException(string message, int status, int attempts, Exception? inner = null) : Exception(message, inner)
{
    public int Status { get; } = status;
    public int Attempts { get; } = attempts;
}
