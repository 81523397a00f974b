using Agents.Memory.Model;

namespace Agents.Memory.Stores;

/// <summary>
/// Writes applied together by <see cref="IMemoryStore.WriteAsync"/>: all or nothing, in one transaction
/// (one round trip on PostgreSQL). A pipeline stage collects what it decided for an episode here and
/// writes it at once. Applied in this order: record adds, record updates, no-change history rows,
/// edge closes, edge adds (so an edge may join records added by the same batch), job completions. Each operation keeps
/// the meaning of its single-call counterpart (<see cref="IMemoryStore.AddAsync"/>,
/// <see cref="IMemoryStore.UpdateAsync"/>, <see cref="IMemoryStore.RecordNoChangeAsync"/>,
/// <see cref="IMemoryStore.CloseEdgeAsync"/>, <see cref="IMemoryStore.AddEdgesAsync"/>,
/// <see cref="IMemoryStore.CompleteJobAsync"/>), and the first
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
    public List<MemoryJobCompletion> JobCompletions { get; } = [];

    /// <summary>
    /// Derived work that can be rebuilt from durable input (a background stage whose raw turn and job
    /// are committed and which is idempotent on replay): PostgreSQL commits it without waiting for the
    /// WAL flush (<c>synchronous_commit = off</c>). A crash of the server may lose the last such
    /// commits, never a user's add; the job, still pending, writes them again.
    /// </summary>
    public bool Rebuildable { get; init; }

    public bool IsEmpty => Adds.Count == 0 && Updates.Count == 0 && NoChanges.Count == 0 && EdgeCloses.Count == 0 && Edges.Count == 0 && JobCompletions.Count == 0;

    public MemoryWriteBatch Add(MemoryRecord record, string actor) { Adds.Add(new MemoryRecordAdd(record, actor)); return this; }

    public MemoryWriteBatch Update(MemoryRecord record, string actor, MemoryEvent @event) { Updates.Add(new MemoryRecordUpdate(record, actor, @event)); return this; }

    public MemoryWriteBatch NoChange(Guid id, string actor) { NoChanges.Add(new MemoryNoChange(id, actor)); return this; }

    public MemoryWriteBatch CloseEdge(Guid edgeId, DateTimeOffset? invalidAt, DateTimeOffset? expiredAt) { EdgeCloses.Add(new MemoryEdgeClose(edgeId, invalidAt, expiredAt)); return this; }

    public MemoryWriteBatch AddEdge(MemoryEdge edge) { Edges.Add(edge); return this; }

    /// <summary>Marks a job done with the work it did, if <paramref name="worker"/> still holds its lease
    /// (as <see cref="IMemoryStore.CompleteJobAsync"/>; a lost lease completes nothing and fails nothing).</summary>
    public MemoryWriteBatch CompleteJob(Guid jobId, string worker) { JobCompletions.Add(new MemoryJobCompletion(jobId, worker)); return this; }

    /// <summary>Appends every operation of <paramref name="other"/> (a stage planned apart, written with this one).</summary>
    public MemoryWriteBatch Append(MemoryWriteBatch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Adds.AddRange(other.Adds);
        Updates.AddRange(other.Updates);
        NoChanges.AddRange(other.NoChanges);
        EdgeCloses.AddRange(other.EdgeCloses);
        Edges.AddRange(other.Edges);
        JobCompletions.AddRange(other.JobCompletions);
        return this;
    }
}

public sealed record MemoryRecordAdd(MemoryRecord Record, string Actor);

/// <summary>An update based on <see cref="MemoryRecord.Version"/> of <paramref name="Record"/>, as in <see cref="IMemoryStore.UpdateAsync"/>.</summary>
public sealed record MemoryRecordUpdate(MemoryRecord Record, string Actor, MemoryEvent Event);

public sealed record MemoryNoChange(Guid Id, string Actor);

/// <summary>Closes an edge as <see cref="IMemoryStore.CloseEdgeAsync"/> does (expired now when <paramref name="ExpiredAt"/> is null); an edge already closed or gone is skipped.</summary>
public sealed record MemoryEdgeClose(Guid EdgeId, DateTimeOffset? InvalidAt, DateTimeOffset? ExpiredAt);

/// <summary>Completes a job as <see cref="IMemoryStore.CompleteJobAsync"/> does, in the batch's transaction.</summary>
public sealed record MemoryJobCompletion(Guid JobId, string Worker);

/// <summary>What a batch stored: the added and updated records as stored (in the batch's order), how many
/// edges it closed and how many jobs it completed (a job whose lease was lost is not).</summary>
public sealed record MemoryWriteResult(IReadOnlyList<MemoryRecord> Added, IReadOnlyList<MemoryRecord> Updated, int EdgesClosed, int JobsCompleted = 0);
