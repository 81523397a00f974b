namespace Agents.Abstractions.Memory;

/// <summary>What erasing a scope removed, row by row.</summary>
[GenerateSerializer, Immutable, Alias("Agents.ScopeErasure")]
public sealed record ScopeErasure(
    [property: Id(0)] long Records,
    [property: Id(1)] long Embeddings,
    [property: Id(2)] long Edges,
    [property: Id(3)] long History,
    [property: Id(4)] long Jobs);
