namespace Agents.Abstractions.Workflows;

/// <summary>What an agent's step produced: its output with citations, what it did (<see cref="Action"/>),
/// the parts of a plan, the memories it read and wrote, and its model calls.</summary>
[GenerateSerializer, Immutable, Alias("Agents.AgentStepResult")]
public sealed record AgentStepResult(
    [property: Id(0)] string Output,
    [property: Id(1)] IReadOnlyList<Citation> Citations,
    [property: Id(2)] string Action,
    [property: Id(3)] IReadOnlyList<string> Parts,
    [property: Id(4)] IReadOnlyList<Guid> MemoryReads,
    [property: Id(5)] IReadOnlyList<Guid> MemoryWrites,
    [property: Id(6)] IReadOnlyList<ModelCall> ModelCalls);
