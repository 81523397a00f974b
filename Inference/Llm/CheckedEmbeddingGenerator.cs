using Microsoft.Extensions.AI;

namespace Agents.Inference.Llm;

/// <summary>
/// Wraps the connector's embedding generator: refuses empty inputs before any request, sends inputs in
/// batches of <see cref="BatchSize"/>, and checks every answer (one vector per input, all of the expected
/// dimension) so a misconfigured model fails loudly here instead of corrupting a vector index later.
/// </summary>
public sealed class CheckedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, LlmEndpointOptions options)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    /// <summary>Inputs per request: well under OpenAI's 2,048 and small enough for local servers' batch limits.</summary>
    public const int BatchSize = 64;

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? generationOptions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values as IReadOnlyList<string> ?? values.ToList();
        for (var i = 0; i < inputs.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(inputs[i]))
                throw new ArgumentException($"Input {i} is empty or whitespace; embedding endpoints reject empty text.", nameof(values));
        }

        var model = generationOptions?.ModelId ?? options.EmbeddingModel;
        var expected = generationOptions?.Dimensions ?? options.EmbeddingDimension;
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        long inputTokens = 0, totalTokens = 0;
        for (var start = 0; start < inputs.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, inputs.Count - start);
            var batch = start == 0 && count == inputs.Count ? inputs : Slice(inputs, start, count);
            var answer = await base.GenerateAsync(batch, generationOptions, cancellationToken).ConfigureAwait(false);
            if (answer.Count != count)
                throw new LlmEmbeddingException($"Embedding model '{model}' returned {answer.Count} vectors for {count} inputs.");
            for (var i = 0; i < count; i++)
            {
                var dimension = answer[i].Vector.Length;
                expected ??= dimension;
                if (dimension != expected)
                    throw new LlmEmbeddingException(
                        $"Embedding model '{model}' returned a vector of dimension {dimension} for input {start + i}; expected {expected}" +
                        (options.EmbeddingDimension is null ? " (the dimension of the first vector)." : $" ({nameof(LlmEndpointOptions.EmbeddingDimension)})."));
                result.Add(answer[i]);
            }
            inputTokens += answer.Usage?.InputTokenCount ?? 0;
            totalTokens += answer.Usage?.TotalTokenCount ?? 0;
        }
        result.Usage = new UsageDetails { InputTokenCount = inputTokens, TotalTokenCount = totalTokens };
        return result;
    }

    private static List<string> Slice(IReadOnlyList<string> inputs, int start, int count)
    {
        var slice = new List<string>(count);
        for (var i = 0; i < count; i++) slice.Add(inputs[start + i]);
        return slice;
    }
}
