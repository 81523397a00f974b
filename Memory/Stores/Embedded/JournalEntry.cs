using Agents.Memory.Model;

namespace Agents.Memory.Stores.Embedded;

/// <summary>
/// One state change of the embedded store, as journalled. Every entry sets or removes one whole
/// object, so replaying an entry twice (a crash between snapshot and journal truncation) is harmless.
/// </summary>
internal sealed record JournalEntry
{
    public required JournalOperation Op { get; init; }
    public MemoryRecord? Record { get; init; }
    public MemoryEdge? Edge { get; init; }
    public MemoryHistoryEntry? History { get; init; }
    public MemoryJob? Job { get; init; }
    /// <summary>The id removed (record, edge, history row or job).</summary>
    public Guid? Id { get; init; }

    public static JournalEntry Put(MemoryRecord record) => new() { Op = JournalOperation.PutRecord, Record = record };
    public static JournalEntry Put(MemoryEdge edge) => new() { Op = JournalOperation.PutEdge, Edge = edge };
    public static JournalEntry Put(MemoryHistoryEntry history) => new() { Op = JournalOperation.PutHistory, History = history };
    public static JournalEntry Put(MemoryJob job) => new() { Op = JournalOperation.PutJob, Job = job };
    public static JournalEntry Remove(JournalOperation op, Guid id) => new() { Op = op, Id = id };
}

internal enum JournalOperation
{
    PutRecord,
    RemoveRecord,
    PutEdge,
    RemoveEdge,
    PutHistory,
    RemoveHistory,
    PutJob,
    RemoveJob,
}

/// <summary>The snapshot file's content.</summary>
internal sealed record EmbeddedSnapshot
{
    public const int CurrentFormat = 1;
    public int Format { get; init; } = CurrentFormat;
    public int Dimension { get; init; }
    public List<MemoryRecord> Records { get; init; } = [];
    public List<MemoryEdge> Edges { get; init; } = [];
    public List<MemoryHistoryEntry> History { get; init; } = [];
    public List<MemoryJob> Jobs { get; init; } = [];
}
