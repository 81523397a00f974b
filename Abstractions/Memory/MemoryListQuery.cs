namespace Agents.Abstractions.Memory;

/// <summary>A page of a scope's memories, oldest observation first: which kinds (default notes, facts
/// and entities), as of when, and whether retired (expired) ones are included.</summary>
[GenerateSerializer, Immutable, Alias("Agents.MemoryListQuery")]
public sealed record MemoryListQuery(
    [property: Id(0)] int Limit = 100,
    [property: Id(1)] int Offset = 0,
    [property: Id(2)] IReadOnlyList<string>? Kinds = null,
    [property: Id(3)] DateTimeOffset? AsOf = null,
    [property: Id(4)] bool IncludeExpired = false);
