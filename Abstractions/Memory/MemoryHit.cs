namespace Agents.Abstractions.Memory;

/// <summary>A memory as returned to callers, with the ids of the turns it came from.</summary>
[GenerateSerializer, Immutable, Alias("Agents.MemoryHit")]
public sealed record MemoryHit(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Content,
    [property: Id(3)] string? Context,
    [property: Id(4)] IReadOnlyList<string> Keywords,
    [property: Id(5)] IReadOnlyList<string> Tags,
    [property: Id(6)] IReadOnlyList<string> Sources,
    [property: Id(7)] double Score,
    [property: Id(8)] DateTimeOffset ObservedAt,
    [property: Id(9)] DateTimeOffset? ValidAt,
    [property: Id(10)] DateTimeOffset? InvalidAt);
