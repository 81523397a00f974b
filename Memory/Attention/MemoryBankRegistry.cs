using Agents.Inference.Attention;
using Agents.Memory.Model;
using Agents.Memory.Stores;

namespace Agents.Memory.Attention;

/// <summary>
/// Attention banks per memory scope, built from the store's embeddings on first use and kept in step
/// by <see cref="BankSyncedMemoryStore"/>, through which every write of this process goes. A bank is
/// registered before it loads, so no write falls between the load and the change feed; both paths are
/// idempotent. Where other processes write to the same store (a cluster on PostgreSQL), a bank older
/// than <c>refreshAfter</c> is reconciled with the store before it is read: records added or changed
/// elsewhere are applied and records gone from the store are removed.
/// </summary>
public sealed class MemoryBankRegistry(IMemoryStore store, Func<int, IMemoryReader> createReader, TimeSpan? refreshAfter = null, TimeProvider? time = null) : IDisposable
{
    private const int PageSize = 1000;
    private readonly Lock _gate = new();
    private readonly Dictionary<MemoryScope, Task<ScopedMemoryBank>> _banks = [];
    private readonly List<ScopedMemoryBank> _live = [];
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The bank of <paramref name="scope"/>, loading it from the store the first time and
    /// reconciling it when it is older than the refresh interval.</summary>
    public Task<ScopedMemoryBank> GetAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_banks.TryGetValue(scope, out var existing) && !existing.IsFaulted && !existing.IsCanceled)
            {
                if (!existing.IsCompletedSuccessfully || refreshAfter is not { } interval || _time.GetUtcNow() - existing.Result.LoadedAt < interval)
                    return existing;
                var refreshing = LoadAsync(existing.Result, cancellationToken, reconcile: true);
                _banks[scope] = refreshing;
                return refreshing;
            }
            var bank = new ScopedMemoryBank(scope, createReader(store.Dimension));
            _live.Add(bank);
            var loading = LoadAsync(bank, cancellationToken, reconcile: false);
            _banks[scope] = loading;
            return loading;
        }
    }

    private async Task<ScopedMemoryBank> LoadAsync(ScopedMemoryBank bank, CancellationToken cancellationToken, bool reconcile)
    {
        try
        {
            var started = _time.GetUtcNow();
            // Only what the bank held before this pass may be removed: a record written through this
            // process while the pages are read is applied by the change feed and must stay.
            var before = reconcile ? bank.SnapshotIds() : null;
            var seen = new HashSet<Guid>();
            for (var offset = 0; ; offset += PageSize)
            {
                var page = await store.ListAsync(new MemoryFilter(bank.Scope), PageSize, offset, cancellationToken).ConfigureAwait(false);
                foreach (var record in page) { bank.Apply(record); seen.Add(record.Id); }
                if (page.Count < PageSize) break;
            }
            // Gone from the store since the last load (deleted, expired or moved out of the scope elsewhere).
            if (before is not null) bank.RemoveWhere(id => before.Contains(id) && !seen.Contains(id));
            bank.LoadedAt = started;
            return bank;
        }
        catch (Exception) when (reconcile && !cancellationToken.IsCancellationRequested)
        {
            // The store did not answer the refresh: serve the bank as it is (it still follows this
            // process's writes) and try again on the next read, since LoadedAt did not move.
            return bank;
        }
        catch
        {
            if (!reconcile)
            {
                lock (_gate) _live.Remove(bank);
                bank.Dispose();
            }
            throw;
        }
    }

    internal void OnWritten(MemoryRecord record)
    {
        foreach (var bank in Snapshot()) bank.Apply(record);
    }

    internal void OnDeleted(Guid id)
    {
        foreach (var bank in Snapshot()) bank.Remove(id);
    }

    internal void OnScopeDeleted(MemoryScope scope, IReadOnlySet<Guid> ids)
    {
        foreach (var bank in Snapshot()) bank.RemoveWhere(ids.Contains);
        lock (_gate)
        {
            // A bank of a scope inside the erased one is empty now; drop it so it reloads if used again.
            foreach (var key in _banks.Keys.Where(scope.Contains).ToArray()) _banks.Remove(key);
        }
    }

    private ScopedMemoryBank[] Snapshot()
    {
        lock (_gate) return [.. _live];
    }

    public void Dispose()
    {
        foreach (var bank in Snapshot()) bank.Dispose();
    }
}
