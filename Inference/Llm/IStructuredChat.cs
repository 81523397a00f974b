using System.Text.Json.Serialization.Metadata;

namespace Agents.Inference.Llm;

/// <summary>
/// A chat completion whose answer must be JSON of a known shape. Implementations ask for JSON mode
/// (or a schema) where the endpoint supports it, parse tolerantly (code fences, text around the JSON),
/// make one repair attempt, and otherwise throw <see cref="LlmOutputException"/>: never a silent drop.
/// </summary>
public interface IStructuredChat
{
    Task<T> CompleteJsonAsync<T>(string systemPrompt, string userPrompt, JsonTypeInfo<T> type, CancellationToken cancellationToken);
}
