namespace Agents.Inference.Batching;

/// <summary>The batcher's queue is full: the request was not accepted (nothing of it ran).</summary>
public sealed class BatcherOverloadedException(string name, int queueLength)
    : Exception($"The '{name}' inference queue is full ({queueLength} requests waiting); retry later or add capacity.")
{
    public int QueueLength { get; } = queueLength;
}
