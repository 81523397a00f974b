namespace Agents.Inference.Attention;

/// <summary>Options of <see cref="MemoryReaderFactory"/>.</summary>
public sealed class MemoryReaderFactoryOptions
{
    /// <summary>Use the CPU reader even where a CUDA device is found.</summary>
    public bool ForceCpu { get; set; }

    /// <summary>Clustering settings for the routed readers it makes.</summary>
    public RoutedReaderOptions Routed { get; set; } = new();
}
