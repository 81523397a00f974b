using Agents.Memory.Model;

namespace Agents.Memory.Stores;

/// <summary>
/// Durable storage for memory records, edges, history and pending work, shared by every write pipeline
/// (A-MEM, Mem0, graph) and by retrieval. Every change to a record writes its history row atomically
/// with it; bad input raises an <see cref="InvalidMemoryInputException"/> and writes nothing.
/// Implementations: <c>EmbeddedMemoryStore</c> (in process, optional snapshot file) and
/// <c>PostgresMemoryStore</c> (PostgreSQL + pgvector). Both pass one conformance suite.
/// </summary>
public interface IMemoryStore
{
    /// <summary>The fixed embedding dimension of this store.</summary>
    int Dimension { get; }

    // ---- records ----

    /// <summary>
    /// Adds a record (version 1, an <see cref="MemoryEvent.Add"/> history row) and enqueues
    /// <paramref name="jobs"/>, the record's work, in the same transaction: once this returns, the input
    /// and the work it needs are durable, each job under its <see cref="MemoryJobRequest.Id"/> when given.
    /// A job whose idempotency key is taken replaces the job there, pending again: the record is new, so
    /// that job was left by an earlier record of the same id, since deleted, and the new one needs the work.
    /// </summary>
    /// <exception cref="MemoryConflictException">The id exists.</exception>
    Task<MemoryRecord> AddAsync(MemoryRecord record, string actor, IReadOnlyList<MemoryJobRequest>? jobs = null, CancellationToken cancellationToken = default);

    /// <summary>Adds many records at once (bulk ingest; COPY on PostgreSQL): all or none, one history row
    /// each, with <paramref name="jobs"/> (each naming its scope) enqueued in the same transaction; jobs
    /// whose idempotency key exists are not enqueued twice.</summary>
    Task<int> AddBatchAsync(IReadOnlyList<MemoryRecord> records, string actor, IReadOnlyList<MemoryJobRequest>? jobs = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a record's mutable fields (everything but id, scope, kind and created-at) if
    /// <paramref name="record"/>.Version is the stored version; writes a history row with the old and
    /// new content and <paramref name="event"/> (Update, Evolve, Invalidate, Enrich...). Returns the
    /// stored record (version + 1).
    /// </summary>
    /// <exception cref="MemoryNotFoundException">No such record.</exception>
    /// <exception cref="MemoryConflictException">The version is stale.</exception>
    Task<MemoryRecord> UpdateAsync(MemoryRecord record, string actor, MemoryEvent @event = MemoryEvent.Update, CancellationToken cancellationToken = default);

    /// <summary>Deletes a record and the edges touching it; writes a <see cref="MemoryEvent.Delete"/>
    /// history row. False if there was no such record.</summary>
    Task<bool> DeleteAsync(Guid id, string actor, CancellationToken cancellationToken = default);

    /// <summary>Records a decision that left a record unchanged (Mem0 NONE) in its history.</summary>
    Task RecordNoChangeAsync(Guid id, string actor, CancellationToken cancellationToken = default);

    /// <summary>Applies a <see cref="MemoryWriteBatch"/>: every operation or none, in one transaction.</summary>
    /// <exception cref="MemoryConflictException">A record or edge id exists, or an update's version is stale.</exception>
    /// <exception cref="MemoryNotFoundException">An updated record, a no-change record or an edge end does not exist.</exception>
    Task<MemoryWriteResult> WriteAsync(MemoryWriteBatch batch, CancellationToken cancellationToken = default);

    Task<MemoryRecord?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The records that exist among <paramref name="ids"/>, in the order of the ids.</summary>
    Task<IReadOnlyList<MemoryRecord>> GetManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default);

    /// <summary>Records passing the filter, oldest observation first (then creation, then id).</summary>
    Task<IReadOnlyList<MemoryRecord>> ListAsync(MemoryFilter filter, int limit = 100, int offset = 0, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="limit"/> records passing the filter, oldest first: the end of
    /// what <see cref="ListAsync"/> lists (the last turns of a conversation, in one read).</summary>
    Task<IReadOnlyList<MemoryRecord>> ListLatestAsync(MemoryFilter filter, int limit, CancellationToken cancellationToken = default);

    /// <summary>How many records pass the filter.</summary>
    Task<long> CountAsync(MemoryFilter filter, CancellationToken cancellationToken = default);

    // ---- search ----

    /// <summary>Top <paramref name="topK"/> records with an embedding by cosine similarity to
    /// <paramref name="query"/>, best first, at least <paramref name="minScore"/>.</summary>
    Task<IReadOnlyList<ScoredMemory>> SearchByVectorAsync(float[] query, MemoryFilter filter, int topK = 10, double? minScore = null, CancellationToken cancellationToken = default);

    /// <summary>Top <paramref name="topK"/> records by full-text relevance over <paramref name="field"/>:
    /// content, context, keywords and tags, or the content alone (any query word may match): BM25 on
    /// both stores over the same analysis (<see cref="Text.TextAnalyzer.Analyze"/>), with the filter's own
    /// statistics up to <c>Bm25MaxRecords</c> filtered records (then both rank alike), with the whole
    /// store's (PostgreSQL: the table's, as ANALYZE keeps them) above.</summary>
    Task<IReadOnlyList<ScoredMemory>> SearchByTextAsync(string query, MemoryFilter filter, int topK = 10, TextField field = TextField.All, CancellationToken cancellationToken = default);

    /// <summary>The searches of one hybrid retrieval at once, each answering as its single call would
    /// (PostgreSQL: one round trip).</summary>
    Task<SignalHits> SearchSignalsAsync(SignalSearch search, CancellationToken cancellationToken = default);

    // ---- edges ----

    /// <summary>Adds edges (all or none). Both ends must exist in the edge's tenant.</summary>
    /// <exception cref="MemoryNotFoundException">An end does not exist.</exception>
    Task AddEdgesAsync(IReadOnlyList<MemoryEdge> edges, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<MemoryEdge>> GetEdgesAsync(EdgeQuery query, CancellationToken cancellationToken = default);

    /// <summary>Closes an edge: sets invalid-at (world) and expired-at (system; now if null). Never
    /// deletes. False if the edge does not exist or is already closed.</summary>
    Task<bool> CloseEdgeAsync(Guid edgeId, DateTimeOffset? invalidAt, DateTimeOffset? expiredAt = null, CancellationToken cancellationToken = default);

    // ---- history ----

    /// <summary>Every change to a record, oldest first.</summary>
    Task<IReadOnlyList<MemoryHistoryEntry>> GetHistoryAsync(Guid recordId, CancellationToken cancellationToken = default);

    // ---- deletion ----

    /// <summary>Deletes everything in the scope (as a filter): records, their embeddings, every edge
    /// of the scope or touching its records, history and jobs. Complete, in one transaction.</summary>
    Task<ScopeDeletion> DeleteScopeAsync(MemoryScope scope, CancellationToken cancellationToken = default);

    // ---- pending work ----

    /// <summary>Enqueues jobs on their own (the scope is required on each request). Returns the stored
    /// jobs; for a key that existed, the existing job.</summary>
    Task<IReadOnlyList<MemoryJob>> EnqueueAsync(IReadOnlyList<MemoryJobRequest> jobs, CancellationToken cancellationToken = default);

    /// <summary>Claims up to <paramref name="max"/> pending jobs that are available and not under a
    /// live lease, oldest first, leasing them to <paramref name="worker"/> for <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<MemoryJob>> ClaimJobsAsync(string worker, int max, TimeSpan lease, IReadOnlyCollection<string>? kinds = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the oldest available job whose scope is exactly <paramref name="scope"/> (not a scope it
    /// contains), leasing it to <paramref name="worker"/>. Nothing is claimed while another worker holds
    /// a live lease on any job of the scope, so one scope's jobs never run in two places at once and
    /// run in the order they were enqueued.
    /// </summary>
    Task<ScopeJobClaim> ClaimScopeJobAsync(MemoryScope scope, string worker, TimeSpan lease, IReadOnlyCollection<string>? kinds = null, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease <paramref name="worker"/> holds on a job to <paramref name="lease"/> from
    /// now; false if the lease is no longer the worker's (it expired, or the job finished).</summary>
    Task<bool> RenewJobLeaseAsync(Guid jobId, string worker, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>The distinct scopes that have pending jobs (up to <paramref name="limit"/>, oldest work
    /// first), so a starting host can hand each to its owner.</summary>
    Task<IReadOnlyList<MemoryScope>> ListScopesWithPendingJobsAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Marks a job done if <paramref name="worker"/> still holds its lease; false otherwise
    /// (the lease expired and the job may run again elsewhere).</summary>
    Task<bool> CompleteJobAsync(Guid jobId, string worker, CancellationToken cancellationToken = default);

    /// <summary>Records a failure if <paramref name="worker"/> holds the lease: with
    /// <paramref name="retryAt"/> the job becomes claimable again then; without, it is failed for good.</summary>
    Task<bool> FailJobAsync(Guid jobId, string worker, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken = default);

    /// <summary>Gives back a job <paramref name="worker"/> claimed but never started (a claim made ahead
    /// of need): pending, unowned and claimable at once, its claim not counted among its attempts. False
    /// when <paramref name="worker"/> does not hold the job's lease.</summary>
    Task<bool> ReleaseJobAsync(Guid jobId, string worker, CancellationToken cancellationToken = default);

    Task<MemoryJob?> GetJobAsync(Guid jobId, CancellationToken cancellationToken = default);

    /// <summary>Jobs of a status in a scope (null scope: every tenant), e.g. to wait until a user's
    /// pending work is done.</summary>
    Task<long> CountJobsAsync(MemoryScope? scope, MemoryJobStatus status, CancellationToken cancellationToken = default);
}
