namespace Agents.Inference.Batching;

/// <summary>A snapshot of a batcher's counters.</summary>
/// <param name="QueueDepth">Requests accepted and not yet in a running batch.</param>
/// <param name="Batches">Batches run so far.</param>
/// <param name="Requests">Requests run so far (in batches).</param>
/// <param name="Rejected">Requests refused because the queue was full.</param>
/// <param name="MaxBatchSeen">The largest batch run so far.</param>
public sealed record BatcherStats(int QueueDepth, long Batches, long Requests, long Rejected, int MaxBatchSeen)
{
    public double MeanBatchSize => Batches == 0 ? 0 : (double)Requests / Batches;
}
