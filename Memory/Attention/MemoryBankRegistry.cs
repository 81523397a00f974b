using Agents.Inference.Attention;
using Agents.Memory.Model;
using Agents.Memory.Stores;

namespace Agents.Memory.Attention;

/// <summary>
/// Attention banks per memory scope, built from the store's embeddings on first use and kept in step
/// by <see cref="BankSyncedMemoryStore"/>, through which every write of this process goes. A bank is
/// registered before it loads, so no write falls between the load and the change feed; both paths are
/// idempotent.
/// </summary>
public sealed class MemoryBankRegistry(IMemoryStore store, Func<int, IMemoryReader> createReader) : IDisposable
{
    private const int PageSize = 1000;
    private readonly Lock _gate = new();
    private readonly Dictionary<MemoryScope, Task<ScopedMemoryBank>> _banks = [];
    private readonly List<ScopedMemoryBank> _live = [];

    /// <summary>The bank of <paramref name="scope"/>, loading it from the store the first time.</summary>
    public Task<ScopedMemoryBank> GetAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_banks.TryGetValue(scope, out var existing) && !existing.IsFaulted && !existing.IsCanceled) return existing;
            var bank = new ScopedMemoryBank(scope, createReader(store.Dimension));
            _live.Add(bank);
            var loading = LoadAsync(bank, cancellationToken);
            _banks[scope] = loading;
            return loading;
        }
    }

    private async Task<ScopedMemoryBank> LoadAsync(ScopedMemoryBank bank, CancellationToken cancellationToken)
    {
        try
        {
            for (var offset = 0; ; offset += PageSize)
            {
                var page = await store.ListAsync(new MemoryFilter(bank.Scope), PageSize, offset, cancellationToken).ConfigureAwait(false);
                foreach (var record in page) bank.Apply(record);
                if (page.Count < PageSize) return bank;
            }
        }
        catch
        {
            lock (_gate) _live.Remove(bank);
            bank.Dispose();
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
