namespace Agents.Abstractions.Memory;

/// <summary>A memory with everything a service shows about it: its exact scope, metadata, both time
/// axes and its version. <see cref="Score"/> is the search relevance (1 outside a search).</summary>
[GenerateSerializer, Immutable, Alias("Agents.MemoryDetail")]
public sealed record MemoryDetail(
    [property: Id(0)] Guid Id,
    [property: Id(1)] ScopeRef Scope,
    [property: Id(2)] string Kind,
    [property: Id(3)] string Content,
    [property: Id(4)] string? Context,
    [property: Id(5)] IReadOnlyList<string> Keywords,
    [property: Id(6)] IReadOnlyList<string> Tags,
    [property: Id(7)] IReadOnlyList<string> Sources,
    [property: Id(8)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(9)] double Score,
    [property: Id(10)] DateTimeOffset ObservedAt,
    [property: Id(11)] DateTimeOffset? ValidAt,
    [property: Id(12)] DateTimeOffset? InvalidAt,
    [property: Id(13)] DateTimeOffset? ExpiredAt,
    [property: Id(14)] DateTimeOffset CreatedAt,
    [property: Id(15)] DateTimeOffset UpdatedAt,
    [property: Id(16)] long Version);
