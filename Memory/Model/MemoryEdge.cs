namespace Agents.Memory.Model;

/// <summary>
/// A typed, directed edge between two records of one tenant: an A-MEM link, a graph relation
/// (<see cref="Type"/> = the relation name, <see cref="Fact"/> = the sentence stating it), a G-Memory
/// query-to-query or insight-to-task edge. Edges are never deleted by the pipelines, only closed
/// (<see cref="InvalidAt"/> / <see cref="ExpiredAt"/> set); deleting a record or a scope removes them.
/// </summary>
public sealed record MemoryEdge
{
    public const int MaxTypeLength = 128;

    public required Guid Id { get; init; }
    public required MemoryScope Scope { get; init; }
    public required Guid FromId { get; init; }
    public required Guid ToId { get; init; }
    /// <summary>"link", a relation name such as "works_at"...; 1 to 128 characters.</summary>
    public required string Type { get; init; }
    /// <summary>For relation edges: the fact in words.</summary>
    public string? Fact { get; init; }
    /// <summary>Embedding of <see cref="Fact"/>, same dimension as the store's records.</summary>
    public float[]? FactEmbedding { get; init; }
    public double Weight { get; init; } = 1.0;
    public DateTimeOffset? ValidAt { get; init; }
    public DateTimeOffset? InvalidAt { get; init; }
    public DateTimeOffset? ExpiredAt { get; init; }
    /// <summary>Set by the store.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>Whether the edge is open: not closed in the world and not retired.</summary>
    public bool IsOpen => InvalidAt is null && ExpiredAt is null;

    public bool IsVisibleAsOf(DateTimeOffset asOf) =>
        (ValidAt is null || ValidAt <= asOf) && (InvalidAt is null || InvalidAt > asOf) && (ExpiredAt is null || ExpiredAt > asOf);
}
