namespace Agents.Abstractions.Inference;

/// <summary>The pool's backend and queues on the silo that answered.</summary>
[GenerateSerializer, Immutable, Alias("Agents.InferencePoolStats")]
public sealed record InferencePoolStats(
    [property: Id(0)] string Silo,
    [property: Id(1)] string Backend,
    [property: Id(2)] IReadOnlyList<QueueStats> Queues);
