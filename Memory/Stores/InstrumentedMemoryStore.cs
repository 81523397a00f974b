using System.Diagnostics;
using Agents.Memory.Diagnostics;
using Agents.Memory.Model;

namespace Agents.Memory.Stores;

/// <summary>An <see cref="IMemoryStore"/> that records the latency of every call of the store it wraps
/// (<see cref="MemoryTelemetry"/>: <c>agents.memory.store.duration</c>, by operation and store). Holds
/// and shared checks pass through to the wrapped store (<see cref="IScopeHolder"/>).</summary>
public sealed class InstrumentedMemoryStore(IMemoryStore inner, string storeName) : IMemoryStore, IScopeHolder
{
    private readonly IMemoryStore _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The store's name in the metrics' <c>agents.memory.store</c> tag (postgres, embedded).</summary>
    public string StoreName { get; } = storeName;

    public int Dimension => _inner.Dimension;

    public Task<MemoryRecord> AddAsync(MemoryRecord record, string actor, IReadOnlyList<MemoryJobRequest>? jobs = null, CancellationToken cancellationToken = default) =>
        MeasureAsync("add", () => _inner.AddAsync(record, actor, jobs, cancellationToken));

    public Task<int> AddBatchAsync(IReadOnlyList<MemoryRecord> records, string actor, IReadOnlyList<MemoryJobRequest>? jobs = null, CancellationToken cancellationToken = default) =>
        MeasureAsync("add_batch", () => _inner.AddBatchAsync(records, actor, jobs, cancellationToken));

    public Task<MemoryRecord> UpdateAsync(MemoryRecord record, string actor, MemoryEvent @event = MemoryEvent.Update, CancellationToken cancellationToken = default) =>
        MeasureAsync("update", () => _inner.UpdateAsync(record, actor, @event, cancellationToken));

    public Task<bool> DeleteAsync(Guid id, string actor, CancellationToken cancellationToken = default) =>
        MeasureAsync("delete", () => _inner.DeleteAsync(id, actor, cancellationToken));

    public Task RecordNoChangeAsync(Guid id, string actor, CancellationToken cancellationToken = default) =>
        MeasureAsync("record_no_change", () => _inner.RecordNoChangeAsync(id, actor, cancellationToken));

    public Task<MemoryWriteResult> WriteAsync(MemoryWriteBatch batch, CancellationToken cancellationToken = default) =>
        MeasureAsync("write", () => _inner.WriteAsync(batch, cancellationToken));

    public Task<MemoryRecord?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        MeasureAsync("get", () => _inner.GetAsync(id, cancellationToken));

    public Task<IReadOnlyList<MemoryRecord>> GetManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default) =>
        MeasureAsync("get_many", () => _inner.GetManyAsync(ids, cancellationToken));

    public Task<IReadOnlyList<MemoryRecord>> ListAsync(MemoryFilter filter, int limit = 100, int offset = 0, CancellationToken cancellationToken = default) =>
        MeasureAsync("list", () => _inner.ListAsync(filter, limit, offset, cancellationToken));

    public Task<IReadOnlyList<MemoryRecord>> ListLatestAsync(MemoryFilter filter, int limit, CancellationToken cancellationToken = default) =>
        MeasureAsync("list_latest", () => _inner.ListLatestAsync(filter, limit, cancellationToken));

    public Task<long> CountAsync(MemoryFilter filter, CancellationToken cancellationToken = default) =>
        MeasureAsync("count", () => _inner.CountAsync(filter, cancellationToken));

    public Task<SignalHits> SearchSignalsAsync(SignalSearch search, CancellationToken cancellationToken = default) =>
        MeasureAsync("search_signals", () => _inner.SearchSignalsAsync(search, cancellationToken));

    public IDisposable HoldScope(MemoryScope scope) => Engine.MemoryEngine.Hold(_inner, scope);

    public IDisposable ShareChecks() => Engine.MemoryEngine.ShareChecks(_inner);
    public void AdoptCheck(MemoryJob job) => Engine.MemoryEngine.AdoptCheck(_inner, job);

    public Task<IReadOnlyList<ScoredMemory>> SearchByVectorAsync(float[] query, MemoryFilter filter, int topK = 10, double? minScore = null, CancellationToken cancellationToken = default) =>
        MeasureAsync("search_by_vector", () => _inner.SearchByVectorAsync(query, filter, topK, minScore, cancellationToken));

    public Task<IReadOnlyList<ScoredMemory>> SearchByTextAsync(string query, MemoryFilter filter, int topK = 10, TextField field = TextField.All, CancellationToken cancellationToken = default) =>
        MeasureAsync("search_by_text", () => _inner.SearchByTextAsync(query, filter, topK, field, cancellationToken));

    public Task AddEdgesAsync(IReadOnlyList<MemoryEdge> edges, CancellationToken cancellationToken = default) =>
        MeasureAsync("add_edges", () => _inner.AddEdgesAsync(edges, cancellationToken));

    public Task<IReadOnlyList<MemoryEdge>> GetEdgesAsync(EdgeQuery query, CancellationToken cancellationToken = default) =>
        MeasureAsync("get_edges", () => _inner.GetEdgesAsync(query, cancellationToken));

    public Task<bool> CloseEdgeAsync(Guid edgeId, DateTimeOffset? invalidAt, DateTimeOffset? expiredAt = null, CancellationToken cancellationToken = default) =>
        MeasureAsync("close_edge", () => _inner.CloseEdgeAsync(edgeId, invalidAt, expiredAt, cancellationToken));

    public Task<IReadOnlyList<MemoryHistoryEntry>> GetHistoryAsync(Guid recordId, CancellationToken cancellationToken = default) =>
        MeasureAsync("get_history", () => _inner.GetHistoryAsync(recordId, cancellationToken));

    public Task<ScopeDeletion> DeleteScopeAsync(MemoryScope scope, CancellationToken cancellationToken = default) =>
        MeasureAsync("delete_scope", () => _inner.DeleteScopeAsync(scope, cancellationToken));

    public Task<IReadOnlyList<MemoryJob>> EnqueueAsync(IReadOnlyList<MemoryJobRequest> jobs, CancellationToken cancellationToken = default) =>
        MeasureAsync("enqueue", () => _inner.EnqueueAsync(jobs, cancellationToken));

    public Task<IReadOnlyList<MemoryJob>> ClaimJobsAsync(string worker, int max, TimeSpan lease, IReadOnlyCollection<string>? kinds = null, CancellationToken cancellationToken = default) =>
        MeasureAsync("claim_jobs", () => _inner.ClaimJobsAsync(worker, max, lease, kinds, cancellationToken));

    public Task<ScopeJobClaim> ClaimScopeJobAsync(MemoryScope scope, string worker, TimeSpan lease, IReadOnlyCollection<string>? kinds = null, CancellationToken cancellationToken = default) =>
        MeasureAsync("claim_scope_job", () => _inner.ClaimScopeJobAsync(scope, worker, lease, kinds, cancellationToken));

    public Task<bool> RenewJobLeaseAsync(Guid jobId, string worker, TimeSpan lease, CancellationToken cancellationToken = default) =>
        MeasureAsync("renew_job_lease", () => _inner.RenewJobLeaseAsync(jobId, worker, lease, cancellationToken));

    public Task<IReadOnlyList<MemoryScope>> ListScopesWithPendingJobsAsync(int limit, CancellationToken cancellationToken = default) =>
        MeasureAsync("list_scopes_with_pending_jobs", () => _inner.ListScopesWithPendingJobsAsync(limit, cancellationToken));

    public Task<bool> CompleteJobAsync(Guid jobId, string worker, CancellationToken cancellationToken = default) =>
        MeasureAsync("complete_job", () => _inner.CompleteJobAsync(jobId, worker, cancellationToken));

    public Task<bool> FailJobAsync(Guid jobId, string worker, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken = default) =>
        MeasureAsync("fail_job", () => _inner.FailJobAsync(jobId, worker, error, retryAt, cancellationToken));
    public Task<bool> ReleaseJobAsync(Guid jobId, string worker, CancellationToken cancellationToken = default) =>
        MeasureAsync("release_job", () => _inner.ReleaseJobAsync(jobId, worker, cancellationToken));

    public Task<MemoryJob?> GetJobAsync(Guid jobId, CancellationToken cancellationToken = default) =>
        MeasureAsync("get_job", () => _inner.GetJobAsync(jobId, cancellationToken));

    public Task<long> CountJobsAsync(MemoryScope? scope, MemoryJobStatus status, CancellationToken cancellationToken = default) =>
        MeasureAsync("count_jobs", () => _inner.CountJobsAsync(scope, status, cancellationToken));

    private async Task MeasureAsync(string operation, Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            await call().ConfigureAwait(false);
            failed = false;
        }
        finally
        {
            MemoryTelemetry.RecordStoreCall(StoreName, operation, started, failed);
        }
    }

    private async Task<T> MeasureAsync<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            var result = await call().ConfigureAwait(false);
            failed = false;
            return result;
        }
        finally
        {
            MemoryTelemetry.RecordStoreCall(StoreName, operation, started, failed);
        }
    }
}
