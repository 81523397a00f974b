using Microsoft.Extensions.AI;
using OpenAI.Embeddings;
using AiEmbeddingOptions = Microsoft.Extensions.AI.EmbeddingGenerationOptions;
using OpenAiEmbeddingOptions = OpenAI.Embeddings.EmbeddingGenerationOptions;

namespace Agents.Inference.Llm;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> over the official OpenAI client. Inputs are
/// sent in batches through the endpoint's <see cref="LlmRequestExecutor"/>; every answer is checked
/// (one vector per input, in order, all of the expected dimension) so a misconfigured model fails
/// loudly here instead of corrupting a vector index later.
/// </summary>
public sealed class OpenAiEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Inputs per request: well under OpenAI's 2,048 and small enough for local servers' batch limits.</summary>
    public const int BatchSize = 64;

    private readonly LlmEndpointOptions _options;
    private readonly LlmRequestExecutor _executor;
    private readonly EmbeddingClient _client;
    private readonly string _model;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public OpenAiEmbeddingGenerator(LlmEndpointOptions options, LlmRequestExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(executor);
        if (string.IsNullOrWhiteSpace(options.EmbeddingModel))
            throw new LlmConfigurationException($"{nameof(LlmEndpointOptions.EmbeddingModel)} is not set: no embedding model to call.");
        _options = options;
        _executor = executor;
        _model = options.EmbeddingModel;
        var clientOptions = OpenAiClientSettings.ClientOptions(options);
        _client = new EmbeddingClient(_model, OpenAiClientSettings.Credential(options), clientOptions);
        _metadata = new EmbeddingGeneratorMetadata("openai-compatible", clientOptions.Endpoint, _model, options.EmbeddingDimension);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, AiEmbeddingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.ModelId is { } model && !string.Equals(model, _model, StringComparison.Ordinal))
            throw new NotSupportedException($"This generator embeds with '{_model}'; a per-call model ('{model}') is not supported.");
        var inputs = values as IReadOnlyList<string> ?? values.ToList();
        for (var i = 0; i < inputs.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(inputs[i]))
                throw new ArgumentException($"Input {i} is empty or whitespace; embedding endpoints reject empty text.", nameof(values));
        }

        var expected = options?.Dimensions ?? _options.EmbeddingDimension;
        int? requested = options?.Dimensions ?? (_options.RequestEmbeddingDimension ? _options.EmbeddingDimension : null);
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        long inputTokens = 0, totalTokens = 0;
        for (var start = 0; start < inputs.Count; start += BatchSize)
        {
            var batch = Slice(inputs, start, Math.Min(BatchSize, inputs.Count - start));
            var collection = await _executor.ExecuteAsync("embedding", async token =>
            {
                var answer = await _client.GenerateEmbeddingsAsync(batch, new OpenAiEmbeddingOptions { Dimensions = requested }, token).ConfigureAwait(false);
                return answer.Value;
            }, cancellationToken).ConfigureAwait(false);

            AppendChecked(collection, batch.Count, start, ref expected, result);
            if (collection.Usage is { } usage)
            {
                inputTokens += usage.InputTokenCount;
                totalTokens += usage.TotalTokenCount;
            }
        }
        result.Usage = new UsageDetails { InputTokenCount = inputTokens, TotalTokenCount = totalTokens };
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        if (serviceType == typeof(EmbeddingClient)) return _client;
        if (serviceType == typeof(EndpointGate)) return _executor.Gate;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose() { }

    private void AppendChecked(OpenAIEmbeddingCollection collection, int count, int offset, ref int? expected,
        GeneratedEmbeddings<Embedding<float>> result)
    {
        if (collection.Count != count)
            throw new LlmEmbeddingException($"Embedding model '{_model}' returned {collection.Count} vectors for {count} inputs.");
        var ordered = new OpenAIEmbedding[count];
        foreach (var embedding in collection)
        {
            if (embedding.Index < 0 || embedding.Index >= count || ordered[embedding.Index] is not null)
                throw new LlmEmbeddingException($"Embedding model '{_model}' returned a vector with index {embedding.Index}, outside or repeating 0..{count - 1}.");
            ordered[embedding.Index] = embedding;
        }
        for (var i = 0; i < count; i++)
        {
            var vector = ordered[i].ToFloats();
            expected ??= vector.Length;
            if (vector.Length != expected)
                throw new LlmEmbeddingException(
                    $"Embedding model '{_model}' returned a vector of dimension {vector.Length} for input {offset + i}; expected {expected}" +
                    (_options.EmbeddingDimension is null ? " (the dimension of the first vector)." : $" ({nameof(LlmEndpointOptions.EmbeddingDimension)})."));
            result.Add(new Embedding<float>(vector) { ModelId = collection.Model ?? _model, CreatedAt = DateTimeOffset.UtcNow });
        }
    }

    private static List<string> Slice(IReadOnlyList<string> inputs, int start, int count)
    {
        var slice = new List<string>(count);
        for (var i = 0; i < count; i++) slice.Add(inputs[start + i]);
        return slice;
    }
}
