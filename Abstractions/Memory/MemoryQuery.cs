namespace Agents.Abstractions.Memory;

/// <summary>A search: text, how many, optional tag filter, point in time, and kinds (note, fact, entity...).</summary>
[GenerateSerializer, Immutable, Alias("Agents.MemoryQuery")]
public sealed record MemoryQuery(
    [property: Id(0)] string Text,
    [property: Id(1)] int TopK = 10,
    [property: Id(2)] IReadOnlyList<string>? Tags = null,
    [property: Id(3)] DateTimeOffset? AsOf = null,
    [property: Id(4)] IReadOnlyList<string>? Kinds = null);
