using Agents.Inference.Offline;

namespace Agents.Grains.Hosting;

/// <summary>The memory store (section <c>Agents:Memory</c>). Retrieval weights are in <c>Agents:Memory:Retrieval</c>,
/// laid over the profile of the embedder in use.</summary>
public sealed class AgentsMemoryOptions
{
    public const string Section = "Agents:Memory";

    /// <summary>Embedding dimension of the store (the offline embedder's when no endpoint).</summary>
    public int Dimension { get; set; } = 384;

    /// <summary>Embedded store only: snapshot file, so memories survive a restart.</summary>
    public string? SnapshotPath { get; set; }

    /// <summary>The offline embedder, used when no endpoint embedding model is configured:
    /// <c>minilm</c> (all-MiniLM-L6-v2 on ONNX Runtime; finds paraphrases) or <c>hashing</c> (word
    /// features only; the fastest).</summary>
    public string Embedder { get; set; } = OfflineEmbedders.MiniLm;

    /// <summary>The sentence model's settings (section <c>Agents:Memory:SentenceModel</c>): model path,
    /// token limit, batch size, threads, CUDA, cache.</summary>
    public SentenceEmbedderOptions SentenceModel { get; set; } = new();

    public void Validate()
    {
        if (Dimension is < 1 or > 16_000) throw new ArgumentOutOfRangeException(nameof(Dimension), Dimension, "Agents:Memory:Dimension must lie between 1 and 16000.");
        if (Embedder is not (OfflineEmbedders.MiniLm or OfflineEmbedders.Hashing))
            throw new ArgumentOutOfRangeException(nameof(Embedder), Embedder, $"Agents:Memory:Embedder must be '{OfflineEmbedders.MiniLm}' or '{OfflineEmbedders.Hashing}'.");
        try
        {
            SentenceModel.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentOutOfRangeException($"Agents:Memory:SentenceModel:{e.ParamName}", e.ActualValue, e.Message);
        }
    }
}
