using System.Text.Json;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agents.Inference.Llm;

/// <summary>
/// <see cref="IStructuredChat"/> over any <see cref="IChatClient"/>: asks for JSON (mode or schema, as
/// configured), extracts it tolerantly (<see cref="JsonExtractor"/>), validates it by deserialising
/// with the caller's <see cref="JsonTypeInfo{T}"/>, and on failure makes exactly one repair call that
/// shows the model its answer and the error. A second failure throws <see cref="LlmOutputException"/>
/// with the raw answer: nothing is dropped silently.
/// </summary>
public sealed class StructuredChat : IStructuredChat
{
    /// <summary>How much of a bad answer goes into logs and exception messages.</summary>
    private const int Excerpt = 500;

    // Schemas per type metadata: exporting walks the whole type graph, and the same few types recur.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonTypeInfo, string> Schemas = new();

    private readonly IChatClient _chat;
    private readonly LlmEndpointOptions _options;
    private readonly ILogger _logger;

    public StructuredChat(IChatClient chat, LlmEndpointOptions options, ILogger<StructuredChat>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(options);
        _chat = chat;
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async Task<T> CompleteJsonAsync<T>(string systemPrompt, string userPrompt, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(systemPrompt);
        ArgumentException.ThrowIfNullOrWhiteSpace(userPrompt);
        ArgumentNullException.ThrowIfNull(type);

        var schema = Schemas.GetValue(type, static t => JsonSchemaExporter.GetJsonSchemaAsNode(t).ToJsonString());
        var chatOptions = new ChatOptions
        {
            ResponseFormat = _options.JsonMode switch
            {
                JsonOutputMode.JsonObject => ChatResponseFormat.Json,
                JsonOutputMode.JsonSchema => ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(schema).RootElement.Clone(), typeof(T).Name),
                _ => null,
            },
            Temperature = _options.StructuredTemperature,
            MaxOutputTokens = _options.StructuredMaxOutputTokens,
        };
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, WithJsonInstruction(systemPrompt)),
            new(ChatRole.User, userPrompt),
        };

        var first = await _chat.GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
        var firstRaw = first.Text;
        if (TryRead(firstRaw, first.FinishReason, type, out var value, out var firstError)) return value;

        _logger.LogWarning("LLM answer is not valid JSON for {Type} ({Error}); asking once for a repair. Answer: {Answer}",
            typeof(T).Name, firstError, Shorten(firstRaw));
        messages.Add(new ChatMessage(ChatRole.Assistant, firstRaw));
        messages.Add(new ChatMessage(ChatRole.User, RepairPrompt(firstError, schema)));

        var second = await _chat.GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
        var secondRaw = second.Text;
        if (TryRead(secondRaw, second.FinishReason, type, out value, out var secondError)) return value;

        _logger.LogError("LLM answer is still not valid JSON for {Type} after a repair attempt ({Error}). Answer: {Answer}",
            typeof(T).Name, secondError, Shorten(secondRaw));
        throw new LlmOutputException(
            $"The model's answer is not valid JSON for {typeof(T).Name}, even after one repair attempt. " +
            $"First answer: {firstError}. Repaired answer: {secondError}. Repaired answer begins: {Shorten(secondRaw)}",
            secondRaw);
    }

    /// <summary>
    /// Reads the first candidate that deserialises into <typeparamref name="T"/>; otherwise the error of
    /// the most likely candidate, which is what the repair prompt shows the model.
    /// </summary>
    public static bool TryRead<T>(string? raw, ChatFinishReason? finishReason, JsonTypeInfo<T> type, out T value, out string error)
    {
        string? firstError = null;
        foreach (var candidate in JsonExtractor.Candidates(raw))
        {
            try
            {
                var parsed = candidate.Deserialize(type);
                if (parsed is not null)
                {
                    value = parsed;
                    error = string.Empty;
                    return true;
                }
                firstError ??= "the JSON value is null";
            }
            catch (JsonException e)
            {
                firstError ??= $"the JSON does not match the expected shape: {e.Message}";
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or FormatException or ArgumentException)
            {
                // Converters and required-member checks throw these for values of the wrong kind.
                firstError ??= $"the JSON does not match the expected shape: {e.Message}";
            }
        }
        value = default!;
        error = firstError ?? (string.IsNullOrWhiteSpace(raw) ? "the answer is empty" : "the answer contains no complete JSON value");
        if (finishReason == ChatFinishReason.Length) error += " (the answer was cut off at the output token limit)";
        return false;
    }

    // OpenAI's JSON mode refuses a conversation that never mentions JSON; local models need the nudge anyway.
    private static string WithJsonInstruction(string systemPrompt) =>
        systemPrompt.Contains("json", StringComparison.OrdinalIgnoreCase)
            ? systemPrompt
            : systemPrompt + "\n\nAnswer with a single JSON value only.";

    private static string RepairPrompt(string error, string schema) =>
        $"Your previous answer could not be used: {error}.\n" +
        $"Reply again with only the corrected JSON value, matching this JSON schema: {schema}\n" +
        "No explanation, no code fences, nothing before or after the JSON.";

    private static string Shorten(string? text) =>
        text is null ? "(none)" : text.Length <= Excerpt ? text : string.Concat(text.AsSpan(0, Excerpt), "…");
}
