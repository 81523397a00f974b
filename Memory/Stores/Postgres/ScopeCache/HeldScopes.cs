using Agents.Memory.Model;

namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>
/// The held scopes of one PostgreSQL store and their in-process copies (<see cref="CachedScope"/>):
/// counted holds, a lookup by the epoch key a write moves, and a budget of records across copies
/// (the least recently read copies are dropped past it). The store loads and checks copies; this
/// class only keeps them. Thread-safe.
/// </summary>
internal sealed class HeldScopes(ScopeCacheOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<MemoryScope, CachedScope> _held = [];
    private readonly Dictionary<ScopeEpochKey, List<CachedScope>> _byKey = [];
    private readonly RecordIndex _index = new();

    private long _served;
    private long _readInSql;
    private long _loads;
    private long _checks;

    public ScopeCacheOptions Options { get; } = options;

    public ScopeCacheCounters Counters => new(Interlocked.Read(ref _served), Interlocked.Read(ref _readInSql), Interlocked.Read(ref _loads), Interlocked.Read(ref _checks));

    public void CountServed() => Interlocked.Increment(ref _served);
    public void CountReadInSql() => Interlocked.Increment(ref _readInSql);
    public void CountLoad() => Interlocked.Increment(ref _loads);
    public void CountCheck() => Interlocked.Increment(ref _checks);

    public IDisposable Hold(MemoryScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        lock (_gate)
        {
            if (!_held.TryGetValue(scope, out var cached))
            {
                _held[scope] = cached = new CachedScope(scope, _index);
                if (!_byKey.TryGetValue(cached.Key, out var sharing)) _byKey[cached.Key] = sharing = [];
                sharing.Add(cached);
            }
            cached.Holds++;
            return new Handle(this, cached);
        }
    }

    private void Release(CachedScope cached)
    {
        lock (_gate)
        {
            if (--cached.Holds > 0) return;
            _held.Remove(cached.Scope);
            if (_byKey.TryGetValue(cached.Key, out var sharing) && sharing.Remove(cached) && sharing.Count == 0) _byKey.Remove(cached.Key);
        }
        cached.Unload();
    }

    /// <summary>The copy of the held scope equal to <paramref name="scope"/>, if any.</summary>
    public CachedScope? Find(MemoryScope scope)
    {
        lock (_gate) return _held.GetValueOrDefault(scope);
    }

    /// <summary>The copy holding record <paramref name="id"/>, if any.</summary>
    public CachedScope? CopyHolding(Guid id) => _index.CopyHolding(id);

    /// <summary>The copies a write to records of <paramref name="scopes"/> may change (those checked by a
    /// key it moves), each told a write is in flight; null when there are none.</summary>
    public CachedWrite? BeginWrite(IEnumerable<MemoryScope> scopes)
    {
        List<CachedScope>? candidates = null;
        lock (_gate)
        {
            if (_byKey.Count == 0) return null;
            foreach (var key in scopes.SelectMany(ScopeEpochKey.Moved).Distinct())
            {
                if (!_byKey.TryGetValue(key, out var sharing)) continue;
                candidates ??= [];
                candidates.AddRange(sharing);
            }
        }
        if (candidates is null) return null;
        var following = candidates.Where(static c => c.BeginWrite()).ToList();
        return following.Count == 0 ? null : new CachedWrite(following);
    }

    /// <summary>After a load: drops the least recently read other copies while the copies hold more
    /// records than the budget.</summary>
    public void Trim(CachedScope loaded)
    {
        List<CachedScope> copies;
        lock (_gate) copies = [.. _held.Values];
        var total = copies.Sum(static c => (long)c.Count);
        foreach (var copy in copies.Where(c => c != loaded && c.State == CachedScopeState.Loaded).OrderBy(static c => c.LastRead))
        {
            if (total <= Options.MaxRecords) break;
            total -= copy.Count;
            copy.Unload();
        }
    }

    private sealed class Handle(HeldScopes cache, CachedScope cached) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) cache.Release(cached);
        }
    }
}

/// <summary>The copies one write of this process may change; ends exactly once, committed or not.</summary>
internal sealed class CachedWrite(IReadOnlyList<CachedScope> copies)
{
    private int _ended;

    public IReadOnlyList<CachedScope> Copies { get; } = copies;

    /// <summary>The keys to read back in the write's transaction.</summary>
    public IEnumerable<ScopeEpochKey> Keys => Copies.Select(static c => c.Key).Distinct();

    /// <summary>The write committed: the keys it moved, at their new epochs, and the records it changed.</summary>
    public void Complete(IReadOnlyDictionary<ScopeEpochKey, long> moved, IReadOnlyList<RecordChange> changes)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        var shared = SharedChecks.Current;
        foreach (var copy in Copies)
        {
            var epoch = moved.TryGetValue(copy.Key, out var e) ? e : (long?)null;
            copy.EndWrite(epoch, changes);
            // Reads that share checks after this write must see it: from the copy once it holds it.
            if (epoch is { } at) shared?.Advance(copy, at);
        }
    }

    /// <summary>The write failed, or its outcome is unknown: the copies stop waiting for it (a read
    /// that finds the database ahead then reloads).</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        foreach (var copy in Copies) copy.EndWrite(null, []);
        SharedChecks.Current?.Forget();
    }
}
