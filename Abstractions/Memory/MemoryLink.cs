namespace Agents.Abstractions.Memory;

/// <summary>An edge between two memories: its type (a note's link, a fact's relation, a mention...),
/// its weight, the fact it states when it is a relation, and when it held.</summary>
[GenerateSerializer, Immutable, Alias("Agents.MemoryLink")]
public sealed record MemoryLink(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid From,
    [property: Id(2)] Guid To,
    [property: Id(3)] string Type,
    [property: Id(4)] double Weight,
    [property: Id(5)] string? Fact,
    [property: Id(6)] DateTimeOffset? ValidAt,
    [property: Id(7)] DateTimeOffset? InvalidAt);
