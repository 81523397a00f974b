namespace Agents.Inference.Llm;

/// <summary>The model's answer could not be turned into the expected JSON, even after a repair attempt.</summary>
public sealed class LlmOutputException(string message, string? rawOutput = null, Exception? inner = null) : Exception(message, inner)
{
    public string? RawOutput { get; } = rawOutput;
}
