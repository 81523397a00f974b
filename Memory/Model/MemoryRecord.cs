namespace Agents.Memory.Model;

/// <summary>
/// One memory of any style: an A-MEM note, a Mem0 fact, a graph entity, a raw message, a G-Memory
/// insight... Two time axes: world time (<see cref="ValidAt"/> / <see cref="InvalidAt"/>: when it was
/// true) and system time (<see cref="CreatedAt"/> / <see cref="ExpiredAt"/>: when the store learnt
/// and retired it). Stores own <see cref="CreatedAt"/>, <see cref="UpdatedAt"/> and
/// <see cref="Version"/>: values the caller sets there are replaced on write.
/// </summary>
public sealed record MemoryRecord
{
    public required Guid Id { get; init; }
    public required MemoryScope Scope { get; init; }
    public required MemoryKind Kind { get; init; }
    public required string Content { get; init; }

    /// <summary>Null until an embedder has run (raw input is stored before any model sees it); else
    /// exactly the store's dimension, finite, not all zero.</summary>
    public float[]? Embedding { get; init; }

    /// <summary>Salient words, most salient first (A-MEM).</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];
    /// <summary>Broad categories; filters match them exactly.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>A one-line description of the situation (A-MEM's context).</summary>
    public string? Context { get; init; }
    public string? Category { get; init; }
    /// <summary>Free string metadata (speaker, session, entity type...).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;
    /// <summary>The ids of the messages or turns this memory came from, in order.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>When the input was observed (imported history keeps its real dates).</summary>
    public DateTimeOffset ObservedAt { get; init; }
    /// <summary>World time: since when it is true (null: unknown, treated as always).</summary>
    public DateTimeOffset? ValidAt { get; init; }
    /// <summary>World time: when it stopped being true (null: still true).</summary>
    public DateTimeOffset? InvalidAt { get; init; }
    /// <summary>System time: when the store retired it (superseded or found wrong); expired records
    /// stay for history and as-of queries but ordinary reads skip them.</summary>
    public DateTimeOffset? ExpiredAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>1 after the add, +1 per update; an update must name the version it read.</summary>
    public long Version { get; init; }

    internal static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Whether the record is visible at world/system time <paramref name="asOf"/>: valid then,
    /// not yet invalid and not yet expired.</summary>
    public bool IsVisibleAsOf(DateTimeOffset asOf) =>
        (ValidAt is null || ValidAt <= asOf) && (InvalidAt is null || InvalidAt > asOf) && (ExpiredAt is null || ExpiredAt > asOf);
}
