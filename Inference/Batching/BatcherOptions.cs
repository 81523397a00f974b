namespace Agents.Inference.Batching;

/// <summary>How a <see cref="RequestBatcher{TRequest, TResponse}"/> groups concurrent requests.</summary>
public sealed class BatcherOptions
{
    /// <summary>How long the first request of a batch waits for others to join it.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>The most requests run as one batch.</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>Requests waiting (not yet in a running batch) beyond which new ones are rejected with
    /// <see cref="BatcherOverloadedException"/>: back-pressure instead of an unbounded queue.</summary>
    public int MaxQueueLength { get; set; } = 4096;

    /// <summary>Batches run at once (e.g. one per device, or a few for an HTTP endpoint).</summary>
    public int MaxConcurrentBatches { get; set; } = 1;

    internal void Validate()
    {
        if (Window < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Window), Window, "the batching window cannot be negative.");
        if (MaxBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "the maximum batch must be at least 1.");
        if (MaxQueueLength < 1) throw new ArgumentOutOfRangeException(nameof(MaxQueueLength), MaxQueueLength, "the queue limit must be at least 1.");
        if (MaxConcurrentBatches < 1) throw new ArgumentOutOfRangeException(nameof(MaxConcurrentBatches), MaxConcurrentBatches, "at least one batch must be allowed to run.");
    }
}
