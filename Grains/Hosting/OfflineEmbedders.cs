using Agents.Inference.Attention;
using Agents.Inference.Offline;
using Agents.Memory.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Agents.Grains.Hosting;

/// <summary>The embedder a silo uses without an endpoint (<c>Agents:Memory:Embedder</c>), and the retrieval
/// profile of each embedder.</summary>
public static class OfflineEmbedders
{
    /// <summary>all-MiniLM-L6-v2 on ONNX Runtime (the default): CUDA where the attention reader found a device.</summary>
    public const string MiniLm = "minilm";

    /// <summary>The hashing embedder: word features, no model, the fastest.</summary>
    public const string Hashing = "hashing";

    public static IEmbeddingGenerator<string, Embedding<float>> Create(IServiceProvider services, AgentsMemoryOptions memory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(memory);
        if (memory.Embedder == Hashing) return new HashingEmbedder(new HashingEmbedderOptions { Dimensions = memory.Dimension });
        var device = services.GetRequiredService<MemoryReaderFactory>().Device;
        var embedder = new SentenceEmbedder(memory.SentenceModel, device, services.GetService<ILogger<SentenceEmbedder>>());
        if (embedder.Dimensions != memory.Dimension)
            throw new InvalidOperationException(
                $"Agents:Memory:Dimension is {memory.Dimension}, but the sentence model (Agents:Memory:Embedder = {MiniLm}) gives {embedder.Dimensions} dimensions: set the dimension to {embedder.Dimensions}, or use Agents:Memory:Embedder = {Hashing}.");
        return embedder;
    }

    /// <summary>The retrieval weights that suit <paramref name="embedder"/>: each offline embedder has its
    /// own (text-led) profile; an endpoint model gets the defaults.</summary>
    public static HybridRetrieverOptions ProfileFor(IEmbeddingGenerator<string, Embedding<float>> embedder) => embedder switch
    {
        HashingEmbedder => HybridRetrieverOptions.ForOfflineEmbedder(),
        SentenceEmbedder => HybridRetrieverOptions.ForSentenceEmbedder(),
        _ => new HybridRetrieverOptions(),
    };
}
