using Microsoft.Extensions.AI;

namespace Agents.Memory.Pipelines;

/// <summary>Batch embedding with a check that the generator answered one vector per input.</summary>
public static class EmbeddingExtensions
{
    public static async Task<float[][]> EmbedAllAsync(this IEmbeddingGenerator<string, Embedding<float>> embedder, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        if (texts.Count == 0) return [];
        var generated = await embedder.GenerateAsync(texts, null, cancellationToken).ConfigureAwait(false);
        if (generated.Count != texts.Count)
            throw new MemoryPipelineException($"The embedding generator returned {generated.Count} vectors for {texts.Count} texts.");
        var result = new float[texts.Count][];
        for (var i = 0; i < result.Length; i++) result[i] = generated[i].Vector.ToArray();
        return result;
    }

    public static async Task<float[]> EmbedAsync(this IEmbeddingGenerator<string, Embedding<float>> embedder, string text, CancellationToken cancellationToken) =>
        (await embedder.EmbedAllAsync([text], cancellationToken).ConfigureAwait(false))[0];
}
