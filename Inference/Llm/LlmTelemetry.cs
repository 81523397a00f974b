namespace Agents.Inference.Llm;

/// <summary>
/// The name of the model calls' telemetry: Semantic Kernel wraps the endpoint's chat client and
/// embedding generator in Microsoft.Extensions.AI's OpenTelemetry clients under this name, which emit
/// a span per call and the GenAI semantic conventions' metrics (<c>gen_ai.client.operation.duration</c>,
/// <c>gen_ai.client.token.usage</c>, by model, operation and token type). System.Diagnostics only.
/// </summary>
public static class LlmTelemetry
{
    public const string SourceName = "Agents.Llm";
}
