namespace Agents.Inference.Attention;

/// <summary>Settings of the routed readers (CPU and CUDA), after the Routing Transformer's k-means.</summary>
public sealed class RoutedReaderOptions
{
    /// <summary>Decay of the moving averages of per-cluster sums and counts (Routing Transformer: 0.999).</summary>
    public double EmaDecay { get; set; } = 0.999;

    /// <summary>Laplace smoothing of the cluster counts (Routing Transformer: 1e-5).</summary>
    public double Epsilon { get; set; } = 1e-5;

    /// <summary>Lloyd iterations of the spherical k-means that initialises the centroids on the first batch.</summary>
    public int KMeansIterations { get; set; } = 4;

    /// <summary>
    /// Size of the first batch: until the bank holds this many memories it is one cluster (reads are
    /// exact); then about sqrt(n) centroids are initialised by k-means on it.
    /// </summary>
    public int InitialBatchSize { get; set; } = 1024;

    /// <summary>Sample points per centroid that the initial k-means runs on (bounds its cost on a big first batch).</summary>
    public int KMeansSamplePerCentroid { get; set; } = 16;

    /// <summary>Balance: a cluster may hold at most this many times sqrt(n) members; a full one is split in two.</summary>
    public double CapacityFactor { get; set; } = 2.0;

    /// <summary>Streaming inserts per EMA step (the Routing Transformer steps once per batch, not per vector).</summary>
    public int EmaBatchSize { get; set; } = 256;

    /// <summary>
    /// Scan probed clusters over half-precision copies of the keys (half the memory traffic), then rescore
    /// the best <see cref="RescoreFactor"/> x k + 8 candidates in single precision, so returned scores,
    /// weights and readouts are exact; only the pre-selection sees rounding (about 1e-3 in a cosine).
    /// </summary>
    public bool HalfPrecisionScan { get; set; } = true;

    /// <summary>Candidates rescored per returned memory when <see cref="HalfPrecisionScan"/> is on.</summary>
    public int RescoreFactor { get; set; } = 2;

    /// <summary>Worker threads per read (0: one per core).</summary>
    public int MaxDegreeOfParallelism { get; set; }

    /// <summary>Seed of the k-means sampling (null: a fresh seed).</summary>
    public int? Seed { get; set; }

    internal void Validate()
    {
        if (!(EmaDecay is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(EmaDecay), EmaDecay, "EMA decay must lie strictly between 0 and 1.");
        if (!(Epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "epsilon must be positive.");
        if (KMeansIterations < 1) throw new ArgumentOutOfRangeException(nameof(KMeansIterations), KMeansIterations, "at least one k-means iteration is needed.");
        if (InitialBatchSize < 2) throw new ArgumentOutOfRangeException(nameof(InitialBatchSize), InitialBatchSize, "the first batch must hold at least 2 memories.");
        if (KMeansSamplePerCentroid < 1) throw new ArgumentOutOfRangeException(nameof(KMeansSamplePerCentroid), KMeansSamplePerCentroid, "must be at least 1.");
        if (!(CapacityFactor >= 1.25)) throw new ArgumentOutOfRangeException(nameof(CapacityFactor), CapacityFactor, "capacity factor must be at least 1.25.");
        if (RescoreFactor < 1) throw new ArgumentOutOfRangeException(nameof(RescoreFactor), RescoreFactor, "must be at least 1.");
        if (EmaBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(EmaBatchSize), EmaBatchSize, "must be at least 1.");
        if (MaxDegreeOfParallelism < 0) throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "must be 0 (one per core) or positive.");
    }
}
