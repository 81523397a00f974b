namespace Agents.Abstractions.Memory;

/// <summary>A scope's memory as a graph: its notes, facts and entities and the links among them, as
/// they stood at a point in time (now when none was asked).</summary>
[GenerateSerializer, Immutable, Alias("Agents.MemoryGraph")]
public sealed record MemoryGraph(
    [property: Id(0)] IReadOnlyList<MemoryDetail> Nodes,
    [property: Id(1)] IReadOnlyList<MemoryLink> Links,
    [property: Id(2)] DateTimeOffset? AsOf,
    [property: Id(3)] bool Truncated);
