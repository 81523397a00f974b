using Agents.Memory.Model;

namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>Where a cached scope's copy stands.</summary>
internal enum CachedScopeState
{
    /// <summary>Not loaded (never, or dropped to stay within the budget).</summary>
    Unloaded,
    /// <summary>The first load is under way.</summary>
    Loading,
    /// <summary>Equal to the database as of <see cref="CachedScope.Epoch"/>.</summary>
    Loaded,
    /// <summary>More records than a copy may hold: reads go to SQL.</summary>
    TooLarge,
}

/// <summary>What <see cref="CachedScope.TryRead{T}"/> found.</summary>
internal enum CachedRead
{
    /// <summary>The copy is current: the read was answered from it.</summary>
    Served,
    /// <summary>The copy is behind the database, but this process has writes to the scope in flight
    /// that will bring it up to date: read from SQL this time.</summary>
    Busy,
    /// <summary>The copy is behind for reasons of its own (a write through another process, a bulk
    /// add, a scope erasure): load it again.</summary>
    Stale,
    /// <summary>Not loaded, or too large to copy: read from SQL.</summary>
    Unavailable,
}

/// <summary>A change to one record seen by a write of this process: its state as stored, or null when deleted.</summary>
internal readonly record struct RecordChange(Guid Id, CachedRecord? Record);

/// <summary>
/// The in-process copy of one held scope: every record the scope contains (as a filter), as stored, at
/// a known epoch of its <see cref="Key"/>. It stays equal to the database because
/// (1) a load reads the rows and the epoch in one snapshot; (2) every write of this process that moves
/// the key reads the epoch back in its own transaction, and its changes are applied only when that
/// epoch follows the copy's directly (the row lock on the key orders writers, one step per
/// transaction), else kept until the writes between arrive; (3) a read first asks the database for
/// the key's epoch and is answered here only if the copy is at least that far, so it sees every write
/// committed before it began, through any process. A copy behind with no write of ours in flight is
/// reloaded. Thread-safe: one reader-writer lock; searches run under the read lock.
/// </summary>
internal sealed class CachedScope(MemoryScope scope, RecordIndex? index = null)
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private Dictionary<Guid, CachedRecord> _records = [];
    // The same records by kind: most reads ask for one or two kinds of a scope that holds several.
    private Dictionary<MemoryKind, Dictionary<Guid, CachedRecord>> _byKind = [];
    // Their embeddings by kind, packed for exact scans.
    private Dictionary<MemoryKind, PackedVectors> _vectors = [];
    // How many records of each kind have not expired (BM25 counts the records a filter admits).
    private Dictionary<MemoryKind, int> _unexpired = [];
    private TextPostings _search = new();
    private TextPostings _content = new();
    // Writes of this process whose epoch is ahead of the copy's, by epoch (a gap is a write not seen yet).
    private readonly SortedDictionary<long, IReadOnlyList<RecordChange>> _pending = [];
    private CachedScopeState _state = CachedScopeState.Unloaded;
    private long _epoch;
    private int _writesInFlight;
    private TaskCompletionSource? _loading;
    private long _lastRead;

    public MemoryScope Scope { get; } = scope;
    public ScopeEpochKey Key { get; } = ScopeEpochKey.Of(scope);

    /// <summary>Holds of this scope (the <see cref="HeldScopes"/>'s lock guards it).</summary>
    internal int Holds { get; set; }

    public CachedScopeState State { get { _lock.EnterReadLock(); try { return _state; } finally { _lock.ExitReadLock(); } } }
    public long Epoch { get { _lock.EnterReadLock(); try { return _epoch; } finally { _lock.ExitReadLock(); } } }
    public int Count { get { _lock.EnterReadLock(); try { return _records.Count; } finally { _lock.ExitReadLock(); } } }
    public long LastRead => Interlocked.Read(ref _lastRead);

    internal IReadOnlyDictionary<Guid, CachedRecord> Records => _records;

    /// <summary>The records <paramref name="filter"/> may match: those of its kinds when it names any,
    /// else all. The caller still applies the filter.</summary>
    internal IEnumerable<CachedRecord> Candidates(MemoryFilter filter)
    {
        if (filter.Kinds is not { Count: > 0 } kinds) return _records.Values;
        if (kinds.Count == 1) return _byKind.TryGetValue(kinds[0], out var only) ? only.Values : [];
        return kinds.Distinct().SelectMany(k => _byKind.TryGetValue(k, out var some) ? some.Values : (IEnumerable<CachedRecord>)[]);
    }
    /// <summary>The packed embeddings of the records <paramref name="filter"/> may match (as <see cref="Candidates"/>).</summary>
    internal IEnumerable<PackedVectors> VectorsOf(MemoryFilter filter)
    {
        if (filter.Kinds is not { Count: > 0 } kinds) return _vectors.Values;
        return kinds.Distinct().Where(_vectors.ContainsKey).Select(k => _vectors[k]);
    }

    /// <summary>How many records of the filter's kinds (all kinds when it names none) have not expired, or
    /// exist at all when <paramref name="includeExpired"/>.</summary>
    internal long CountOfKinds(MemoryFilter filter, bool includeExpired)
    {
        IEnumerable<MemoryKind> kinds = filter.Kinds is { Count: > 0 } named ? named.Distinct() : _byKind.Keys;
        long n = 0;
        foreach (var kind in kinds)
            n += includeExpired ? (_byKind.TryGetValue(kind, out var all) ? all.Count : 0) : _unexpired.GetValueOrDefault(kind);
        return n;
    }

    internal TextPostings Postings(TextField field) => field == TextField.Content ? _content : _search;

    // ------------------------------------------------------------------ loading

    /// <summary>Starts a load unless one runs: true when the caller must load (and then call
    /// <see cref="CompleteLoad"/> or <see cref="FailLoad"/>); false with the running load to await.</summary>
    public bool TryBeginLoad(out Task running)
    {
        _lock.EnterWriteLock();
        try
        {
            if (_loading is { } current) { running = current.Task; return false; }
            _loading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_state is CachedScopeState.Unloaded or CachedScopeState.TooLarge) _state = CachedScopeState.Loading;
            running = _loading.Task;
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>The rows and epoch a load read in one snapshot. A copy already further (our own writes
    /// applied while the load ran) stays; otherwise the load replaces it and our writes after it apply.</summary>
    public void CompleteLoad(long epoch, IReadOnlyList<CachedRecord> records)
    {
        _lock.EnterWriteLock();
        try
        {
            if (_state != CachedScopeState.Loaded || epoch > _epoch)
            {
                foreach (var id in _records.Keys) index?.Forget(id, this);
                _records = new Dictionary<Guid, CachedRecord>(records.Count);
                _byKind = [];
                _vectors = [];
                _unexpired = [];
                _search = new TextPostings();
                _content = new TextPostings();
                foreach (var record in records) Put(record);
                _epoch = epoch;
                _state = CachedScopeState.Loaded;
            }
            Drain();
            Touch();
        }
        finally
        {
            var loading = _loading;
            _loading = null;
            _lock.ExitWriteLock();
            loading?.SetResult();
        }
    }

    /// <summary>A load that did not finish: the scope is too large to copy, or the database failed
    /// (then the copy, if any, stays as it was and the next read tries again).</summary>
    public void FailLoad(bool tooLarge)
    {
        _lock.EnterWriteLock();
        try
        {
            if (tooLarge) Clear(CachedScopeState.TooLarge);
            else if (_state == CachedScopeState.Loading) _state = CachedScopeState.Unloaded;
        }
        finally
        {
            var loading = _loading;
            _loading = null;
            _lock.ExitWriteLock();
            loading?.SetResult();
        }
    }

    /// <summary>Drops the copy (to stay within the budget, or when the last hold goes); the next read loads it again.</summary>
    public void Unload()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_loading is null) Clear(CachedScopeState.Unloaded);
        }
        finally { _lock.ExitWriteLock(); }
    }

    private void Clear(CachedScopeState state)
    {
        foreach (var id in _records.Keys) index?.Forget(id, this);
        _records = [];
        _byKind = [];
        _vectors = [];
        _unexpired = [];
        _search = new TextPostings();
        _content = new TextPostings();
        _pending.Clear();
        _epoch = 0;
        _state = state;
    }

    // ------------------------------------------------------------------ writes of this process

    /// <summary>A write of this process that may move the key is about to run: true if the copy
    /// follows it (then <see cref="EndWrite"/> must follow, whatever happens).</summary>
    public bool BeginWrite()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_state is not (CachedScopeState.Loaded or CachedScopeState.Loading)) return false;
            _writesInFlight++;
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>A write ended: committed with the key at <paramref name="epoch"/> (null: it did not move
    /// the key, or failed) and these changes to records.</summary>
    public void EndWrite(long? epoch, IReadOnlyList<RecordChange> changes)
    {
        _lock.EnterWriteLock();
        try
        {
            _writesInFlight--;
            if (epoch is not { } e || _state is not (CachedScopeState.Loaded or CachedScopeState.Loading)) return;
            if (e > _epoch || _state == CachedScopeState.Loading) _pending[e] = changes;
            Drain();
        }
        finally { _lock.ExitWriteLock(); }
    }

    // Applies the writes that directly follow the copy's epoch; forgets those it already includes.
    private void Drain()
    {
        if (_state != CachedScopeState.Loaded) return;
        while (_pending.Count > 0)
        {
            var (epoch, changes) = _pending.First();
            if (epoch <= _epoch) { _pending.Remove(epoch); continue; }
            if (epoch != _epoch + 1) return;
            foreach (var change in changes) Apply(change);
            _epoch = epoch;
            _pending.Remove(epoch);
        }
    }

    private void Apply(RecordChange change)
    {
        Remove(change.Id);
        if (change.Record is { } record && Scope.Contains(record.Record.Scope)) Put(record);
    }

    private void Put(CachedRecord record)
    {
        _records[record.Record.Id] = record;
        if (!_byKind.TryGetValue(record.Record.Kind, out var ofKind)) _byKind[record.Record.Kind] = ofKind = [];
        ofKind[record.Record.Id] = record;
        if (!_vectors.TryGetValue(record.Record.Kind, out var packed)) _vectors[record.Record.Kind] = packed = new PackedVectors();
        packed.Add(record);
        if (record.Record.ExpiredAt is null) _unexpired[record.Record.Kind] = _unexpired.GetValueOrDefault(record.Record.Kind) + 1;
        index?.Note(record.Record.Id, this);
        _search.Add(record.Record.Id, record.Search);
        _content.Add(record.Record.Id, record.Content);
    }

    private void Remove(Guid id)
    {
        if (!_records.Remove(id, out var old)) return;
        if (_byKind.TryGetValue(old.Record.Kind, out var ofKind) && ofKind.Remove(id) && ofKind.Count == 0) _byKind.Remove(old.Record.Kind);
        if (_vectors.TryGetValue(old.Record.Kind, out var packed)) packed.Remove(id);
        if (old.Record.ExpiredAt is null) _unexpired[old.Record.Kind]--;
        index?.Forget(id, this);
        _search.Remove(id, old.Search);
        _content.Remove(id, old.Content);
    }

    // ------------------------------------------------------------------ reads

    /// <summary>Runs <paramref name="read"/> on the copy if it includes everything the database had at
    /// <paramref name="databaseEpoch"/> (read after the caller's read began).</summary>
    public CachedRead TryRead<T>(long databaseEpoch, Func<CachedScope, T> read, out T value)
    {
        _lock.EnterReadLock();
        try
        {
            if (_state == CachedScopeState.Loaded && databaseEpoch <= _epoch)
            {
                Touch();
                value = read(this);
                return CachedRead.Served;
            }
            value = default!;
            if (_state is CachedScopeState.Unloaded or CachedScopeState.TooLarge) return CachedRead.Unavailable;
            return _writesInFlight > 0 || _state == CachedScopeState.Loading ? CachedRead.Busy : CachedRead.Stale;
        }
        finally { _lock.ExitReadLock(); }
    }

    private void Touch() => Interlocked.Exchange(ref _lastRead, Environment.TickCount64);

    // ------------------------------------------------------------------ checks

    private readonly Lock _checkGate = new();
    private EpochCheck? _openCheck;

    /// <summary>Joins the check not sent yet, or opens one (then the caller sends it, after letting reads
    /// that start at the same moment join). Every read sharing a check began before it was sent, so
    /// the epoch it reads is valid for each of them.</summary>
    public (EpochCheck Check, bool Send) JoinCheck()
    {
        lock (_checkGate)
        {
            if (_openCheck is not null) return (_openCheck, false);
            _openCheck = new EpochCheck();
            return (_openCheck, true);
        }
    }

    /// <summary>Closes a check to joiners before it is sent.</summary>
    public void Seal(EpochCheck check)
    {
        lock (_checkGate)
            if (_openCheck == check) _openCheck = null;
    }
}

/// <summary>One check of a scope's epoch, shared by the reads that joined it before it was sent.</summary>
internal sealed class EpochCheck
{
    public TaskCompletionSource<long> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Which copy holds a record, so a read by id (which names no scope) can find the copy to
/// answer it from. A record in several nested held scopes maps to the last copy that took it.</summary>
internal sealed class RecordIndex
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, CachedScope> _copies = new();

    public void Note(Guid id, CachedScope copy) => _copies[id] = copy;

    public void Forget(Guid id, CachedScope copy) => _copies.TryRemove(new KeyValuePair<Guid, CachedScope>(id, copy));

    public CachedScope? CopyHolding(Guid id) => _copies.GetValueOrDefault(id);
}
