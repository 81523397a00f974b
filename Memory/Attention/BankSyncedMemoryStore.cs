using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Stores;

namespace Agents.Memory.Attention;

/// <summary>
/// An <see cref="IMemoryStore"/> that keeps the attention banks of <see cref="Banks"/> in step with
/// every record written through it: each change is applied to the banks after the store committed it.
/// Reads pass straight through.
/// </summary>
public sealed class BankSyncedMemoryStore : IMemoryStore, IScopeHolder
{
    private readonly IMemoryStore _inner;

    /// <param name="refreshAfter">Where other processes also write to <paramref name="inner"/>, how old a
    /// bank may be before a read reconciles it with the store; null (one process) never.</param>
    public BankSyncedMemoryStore(IMemoryStore inner, Func<int, Inference.Attention.IMemoryReader> createReader, TimeSpan? refreshAfter = null)
    {
        _inner = inner;
        Banks = new MemoryBankRegistry(inner, createReader, refreshAfter);
    }

    public MemoryBankRegistry Banks { get; }
    public int Dimension => _inner.Dimension;

    public IDisposable HoldScope(MemoryScope scope) => MemoryEngine.Hold(_inner, scope);

    public IDisposable ShareChecks() => MemoryEngine.ShareChecks(_inner);
    public void AdoptCheck(MemoryJob job) => MemoryEngine.AdoptCheck(_inner, job);

    public async Task<MemoryRecord> AddAsync(MemoryRecord record, string actor, IReadOnlyList<MemoryJobRequest>? jobs = null, CancellationToken cancellationToken = default)
    {
        var stored = await _inner.AddAsync(record, actor, jobs, cancellationToken).ConfigureAwait(false);
        Banks.OnWritten(stored);
        return stored;
    }

    public async Task<int> AddBatchAsync(IReadOnlyList<MemoryRecord> records, string actor, IReadOnlyList<MemoryJobRequest>? jobs = null, CancellationToken cancellationToken = default)
    {
        var added = await _inner.AddBatchAsync(records, actor, jobs, cancellationToken).ConfigureAwait(false);
        foreach (var record in records) Banks.OnWritten(record);
        return added;
    }

    public async Task<MemoryRecord> UpdateAsync(MemoryRecord record, string actor, MemoryEvent @event = MemoryEvent.Update, CancellationToken cancellationToken = default)
    {
        var stored = await _inner.UpdateAsync(record, actor, @event, cancellationToken).ConfigureAwait(false);
        Banks.OnWritten(stored);
        return stored;
    }

    public async Task<MemoryWriteResult> WriteAsync(MemoryWriteBatch batch, CancellationToken cancellationToken = default)
    {
        var result = await _inner.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        foreach (var record in result.Added) Banks.OnWritten(record);
        foreach (var record in result.Updated) Banks.OnWritten(record);
        return result;
    }

    public async Task<bool> DeleteAsync(Guid id, string actor, CancellationToken cancellationToken = default)
    {
        var deleted = await _inner.DeleteAsync(id, actor, cancellationToken).ConfigureAwait(false);
        Banks.OnDeleted(id);
        return deleted;
    }

    public async Task<ScopeDeletion> DeleteScopeAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        var ids = new HashSet<Guid>();
        const int page = 1000;
        for (var offset = 0; ; offset += page)
        {
            var records = await _inner.ListAsync(new MemoryFilter(scope) { IncludeExpired = true }, page, offset, cancellationToken).ConfigureAwait(false);
            foreach (var r in records) ids.Add(r.Id);
            if (records.Count < page) break;
        }
        var deletion = await _inner.DeleteScopeAsync(scope, cancellationToken).ConfigureAwait(false);
        Banks.OnScopeDeleted(scope, ids);
        return deletion;
    }

    public Task RecordNoChangeAsync(Guid id, string actor, CancellationToken cancellationToken = default) => _inner.RecordNoChangeAsync(id, actor, cancellationToken);
    public Task<MemoryRecord?> GetAsync(Guid id, CancellationToken cancellationToken = default) => _inner.GetAsync(id, cancellationToken);
    public Task<IReadOnlyList<MemoryRecord>> GetManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default) => _inner.GetManyAsync(ids, cancellationToken);
    public Task<IReadOnlyList<MemoryRecord>> ListAsync(MemoryFilter filter, int limit = 100, int offset = 0, CancellationToken cancellationToken = default) => _inner.ListAsync(filter, limit, offset, cancellationToken);
    public Task<IReadOnlyList<MemoryRecord>> ListLatestAsync(MemoryFilter filter, int limit, CancellationToken cancellationToken = default) => _inner.ListLatestAsync(filter, limit, cancellationToken);
    public Task<long> CountAsync(MemoryFilter filter, CancellationToken cancellationToken = default) => _inner.CountAsync(filter, cancellationToken);
    public Task<IReadOnlyList<ScoredMemory>> SearchByVectorAsync(float[] query, MemoryFilter filter, int topK = 10, double? minScore = null, CancellationToken cancellationToken = default) => _inner.SearchByVectorAsync(query, filter, topK, minScore, cancellationToken);
    public Task<SignalHits> SearchSignalsAsync(SignalSearch search, CancellationToken cancellationToken = default) => _inner.SearchSignalsAsync(search, cancellationToken);
    public Task<IReadOnlyList<ScoredMemory>> SearchByTextAsync(string query, MemoryFilter filter, int topK = 10, TextField field = TextField.All, CancellationToken cancellationToken = default) => _inner.SearchByTextAsync(query, filter, topK, field, cancellationToken);
    public Task AddEdgesAsync(IReadOnlyList<MemoryEdge> edges, CancellationToken cancellationToken = default) => _inner.AddEdgesAsync(edges, cancellationToken);
    public Task<IReadOnlyList<MemoryEdge>> GetEdgesAsync(EdgeQuery query, CancellationToken cancellationToken = default) => _inner.GetEdgesAsync(query, cancellationToken);
    public Task<bool> CloseEdgeAsync(Guid edgeId, DateTimeOffset? invalidAt, DateTimeOffset? expiredAt = null, CancellationToken cancellationToken = default) => _inner.CloseEdgeAsync(edgeId, invalidAt, expiredAt, cancellationToken);
    public Task<IReadOnlyList<MemoryHistoryEntry>> GetHistoryAsync(Guid recordId, CancellationToken cancellationToken = default) => _inner.GetHistoryAsync(recordId, cancellationToken);
    public Task<IReadOnlyList<MemoryJob>> EnqueueAsync(IReadOnlyList<MemoryJobRequest> jobs, CancellationToken cancellationToken = default) => _inner.EnqueueAsync(jobs, cancellationToken);
    public Task<IReadOnlyList<MemoryJob>> ClaimJobsAsync(string worker, int max, TimeSpan lease, IReadOnlyCollection<string>? kinds = null, CancellationToken cancellationToken = default) => _inner.ClaimJobsAsync(worker, max, lease, kinds, cancellationToken);
    public Task<ScopeJobClaim> ClaimScopeJobAsync(MemoryScope scope, string worker, TimeSpan lease, IReadOnlyCollection<string>? kinds = null, CancellationToken cancellationToken = default) => _inner.ClaimScopeJobAsync(scope, worker, lease, kinds, cancellationToken);
    public Task<bool> RenewJobLeaseAsync(Guid jobId, string worker, TimeSpan lease, CancellationToken cancellationToken = default) => _inner.RenewJobLeaseAsync(jobId, worker, lease, cancellationToken);
    public Task<IReadOnlyList<MemoryScope>> ListScopesWithPendingJobsAsync(int limit, CancellationToken cancellationToken = default) => _inner.ListScopesWithPendingJobsAsync(limit, cancellationToken);
    public Task<bool> CompleteJobAsync(Guid jobId, string worker, CancellationToken cancellationToken = default) => _inner.CompleteJobAsync(jobId, worker, cancellationToken);
    public Task<bool> FailJobAsync(Guid jobId, string worker, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken = default) => _inner.FailJobAsync(jobId, worker, error, retryAt, cancellationToken);
    public Task<bool> ReleaseJobAsync(Guid jobId, string worker, CancellationToken cancellationToken = default) => _inner.ReleaseJobAsync(jobId, worker, cancellationToken);
    public Task<MemoryJob?> GetJobAsync(Guid jobId, CancellationToken cancellationToken = default) => _inner.GetJobAsync(jobId, cancellationToken);
    public Task<long> CountJobsAsync(MemoryScope? scope, MemoryJobStatus status, CancellationToken cancellationToken = default) => _inner.CountJobsAsync(scope, status, cancellationToken);
}
