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

    public void Validate()
    {
        if (Dimension is < 1 or > 16_000) throw new ArgumentOutOfRangeException(nameof(Dimension), Dimension, "Agents:Memory:Dimension must lie between 1 and 16000.");
    }
}
