using Agents.Memory.Model;

namespace Agents.Memory.Stores;

/// <summary>
/// Writes applied together by <see cref="IMemoryStore.WriteAsync"/>: all or nothing, in one transaction
/// (one round trip on PostgreSQL). A pipeline stage collects what it decided for an episode here and
/// writes it at once. Applied in this order: record adds, record updates, no-change history rows,
/// edge closes, edge adds (so an edge may join records added by the same batch). Each operation keeps
/// the meaning of its single-call counterpart (<see cref="IMemoryStore.AddAsync"/>,
/// <see cref="IMemoryStore.UpdateAsync"/>, <see cref="IMemoryStore.RecordNoChangeAsync"/>,
/// <see cref="IMemoryStore.CloseEdgeAsync"/>, <see cref="IMemoryStore.AddEdgesAsync"/>), and the first
/// that cannot apply (a stale version, a missing record or edge end, an id that exists) throws as that
/// call would and nothing of the batch is written.
/// </summary>
public sealed class MemoryWriteBatch
{
    public List<MemoryRecordAdd> Adds { get; } = [];
    public List<MemoryRecordUpdate> Updates { get; } = [];
    public List<MemoryNoChange> NoChanges { get; } = [];
    public List<MemoryEdgeClose> EdgeCloses { get; } = [];
    public List<MemoryEdge> Edges { get; } = [];

    /// <summary>
    /// Derived work that can be rebuilt from durable input (a background stage whose raw turn and job
    /// are committed and which is idempotent on replay): PostgreSQL commits it without waiting for the
    /// WAL flush (<c>synchronous_commit = off</c>). A crash of the server may lose the last such
    /// commits, never a user's add; the job, still pending, writes them again.
    /// </summary>
    public bool Rebuildable { get; init; }

    public bool IsEmpty => Adds.Count == 0 && Updates.Count == 0 && NoChanges.Count == 0 && EdgeCloses.Count == 0 && Edges.Count == 0;

    public MemoryWriteBatch Add(MemoryRecord record, string actor) { Adds.Add(new MemoryRecordAdd(record, actor)); return this; }

    public MemoryWriteBatch Update(MemoryRecord record, string actor, MemoryEvent @event) { Updates.Add(new MemoryRecordUpdate(record, actor, @event)); return this; }

    public MemoryWriteBatch NoChange(Guid id, string actor) { NoChanges.Add(new MemoryNoChange(id, actor)); return this; }

    public MemoryWriteBatch CloseEdge(Guid edgeId, DateTimeOffset? invalidAt, DateTimeOffset? expiredAt) { EdgeCloses.Add(new MemoryEdgeClose(edgeId, invalidAt, expiredAt)); return this; }

    public MemoryWriteBatch AddEdge(MemoryEdge edge) { Edges.Add(edge); return this; }
}

public sealed record MemoryRecordAdd(MemoryRecord Record, string Actor);

/// <summary>An update based on <see cref="MemoryRecord.Version"/> of <paramref name="Record"/>, as in <see cref="IMemoryStore.UpdateAsync"/>.</summary>
public sealed record MemoryRecordUpdate(MemoryRecord Record, string Actor, MemoryEvent Event);

public sealed record MemoryNoChange(Guid Id, string Actor);

/// <summary>Closes an edge as <see cref="IMemoryStore.CloseEdgeAsync"/> does (expired now when <paramref name="ExpiredAt"/> is null); an edge already closed or gone is skipped.</summary>
public sealed record MemoryEdgeClose(Guid EdgeId, DateTimeOffset? InvalidAt, DateTimeOffset? ExpiredAt);

/// <summary>What a batch stored: the added and updated records as stored (in the batch's order) and how many edges it closed.</summary>
public sealed record MemoryWriteResult(IReadOnlyList<MemoryRecord> Added, IReadOnlyList<MemoryRecord> Updated, int EdgesClosed);
