namespace Agents.Abstractions.Inference;

/// <summary>Queue depth and batch sizes of one of the pool's queues.</summary>
[GenerateSerializer, Immutable, Alias("Agents.QueueStats")]
public sealed record QueueStats(
    [property: Id(0)] string Queue,
    [property: Id(1)] int Depth,
    [property: Id(2)] long Batches,
    [property: Id(3)] long Requests,
    [property: Id(4)] long Rejected,
    [property: Id(5)] int MaxBatch,
    [property: Id(6)] double MeanBatch);
