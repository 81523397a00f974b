namespace Agents.Abstractions.Memory;

/// <summary>One page of a list and how many memories the whole list holds.</summary>
[GenerateSerializer, Immutable, Alias("Agents.MemoryPage")]
public sealed record MemoryPage([property: Id(0)] IReadOnlyList<MemoryDetail> Items, [property: Id(1)] long Total);
