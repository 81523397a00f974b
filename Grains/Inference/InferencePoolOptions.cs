using Agents.Inference.Batching;

namespace Agents.Grains.Inference;

/// <summary>Queues of the inference pool on one silo.</summary>
public sealed class InferencePoolOptions
{
    /// <summary>Attention reads: queries of one batch are scored in one pass over each bank.</summary>
    public BatcherOptions Reads { get; set; } = new() { Window = TimeSpan.FromMilliseconds(1), MaxBatchSize = 64, MaxQueueLength = 4096 };

    /// <summary>Embeddings: texts of one batch go to the embedder in one call.</summary>
    public BatcherOptions Embeddings { get; set; } = new() { Window = TimeSpan.FromMilliseconds(2), MaxBatchSize = 128, MaxQueueLength = 4096, MaxConcurrentBatches = 2 };

    /// <summary>Chat: one request per call, at most <see cref="BatcherOptions.MaxConcurrentBatches"/> in flight per silo.</summary>
    public BatcherOptions Chat { get; set; } = new() { Window = TimeSpan.Zero, MaxBatchSize = 1, MaxQueueLength = 256, MaxConcurrentBatches = 4 };
}
