using System.Buffers;
using System.Numerics.Tensors;
using Agents.Memory.Model;
using Agents.Memory.Stores.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agents.Memory.Stores.Embedded;

/// <summary>
/// The in-process store, the default when no database is configured. Exact cosine search (SIMD dot
/// products over unit vectors in one array), BM25 full-text, edges, history and the job queue, all
/// behind one reader-writer lock so a change and its history row are one step. With
/// <see cref="EmbeddedMemoryStoreOptions.SnapshotPath"/>, every change is journalled before it is
/// acknowledged and the state survives restarts.
/// </summary>
public sealed class EmbeddedMemoryStore : IMemoryStore, IDisposable
{
    /// <summary>Rows from which a full scan is split across the cores. Below it a serial int8 scan takes
    /// about a millisecond or less, and splitting it only adds hand-offs that a busy host makes wait.</summary>
    private const int ParallelScanThreshold = 65_536;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly MemoryInputValidator _validator;
    private readonly EmbeddedMemoryStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EmbeddedPersistence? _persistence;

    private readonly Dictionary<Guid, StoredRecord> _records = [];
    private readonly VectorTable _vectors;
    private readonly Bm25Index _text = new();
    private readonly Bm25Index _contentText = new();
    // Records by scope key (and the tenant as a whole, field -1) and kind, all and live: how many pass a
    // filter of a scope and kinds alone, without a pass over them (full-text search picks its statistics by it).
    private readonly Dictionary<(string Tenant, int Field, string Value), Dictionary<MemoryKind, (int All, int Live)>> _kindCounts = [];
    // Record ids per (tenant, scope field, id): a search within one user's scope visits only that
    // user's rows instead of scanning the whole table.
    private readonly Dictionary<(string Tenant, int Field, string Value), HashSet<Guid>> _scopeIndex = [];
    private readonly Dictionary<Guid, MemoryEdge> _edges = [];
    private readonly Dictionary<Guid, HashSet<Guid>> _edgesByNode = [];
    private readonly Dictionary<Guid, MemoryHistoryEntry> _history = [];
    private readonly Dictionary<Guid, List<Guid>> _historyByRecord = [];
    private readonly Dictionary<Guid, MemoryJob> _jobs = [];
    private readonly Dictionary<(string Tenant, string Key), Guid> _jobKeys = [];
    // Pending job ids per exact scope: a scope's owner claims its next job without scanning every job kept.
    private readonly Dictionary<MemoryScope, HashSet<Guid>> _pendingByScope = [];
    private bool _disposed;

    public EmbeddedMemoryStore(MemoryStoreOptions? options = null, EmbeddedMemoryStoreOptions? embeddedOptions = null,
        TimeProvider? timeProvider = null, ILogger<EmbeddedMemoryStore>? logger = null)
    {
        var storeOptions = options ?? new MemoryStoreOptions();
        if (storeOptions.Dimension is < 1 or > 16_000)
            throw new ArgumentOutOfRangeException(nameof(options), storeOptions.Dimension, "The embedding dimension must be between 1 and 16000.");
        _validator = new MemoryInputValidator(storeOptions);
        _options = embeddedOptions ?? new EmbeddedMemoryStoreOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _vectors = new VectorTable(storeOptions.Dimension);
        if (_options.SnapshotPath is { } path)
        {
            _persistence = new EmbeddedPersistence(path, _options.FlushToDisk, _logger);
            Load();
        }
    }

    public int Dimension => _validator.Options.Dimension;

    /// <summary>Number of records held (every scope).</summary>
    public int RecordCount { get { _lock.EnterReadLock(); try { return _records.Count; } finally { _lock.ExitReadLock(); } } }

    // ------------------------------------------------------------------ records

    public Task<MemoryRecord> AddAsync(MemoryRecord record, string actor, IReadOnlyList<MemoryJobRequest>? jobs = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _validator.ValidateRecord(record);
        MemoryInputValidator.ValidateActor(actor);
        foreach (var job in jobs ?? []) _validator.ValidateJob(job, record.Scope);

        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            if (_records.ContainsKey(record.Id)) throw new MemoryConflictException($"A record with id {record.Id} exists already.");
            var now = Now();
            var stored = Stamp(record, now);
            var entries = new List<JournalEntry> { JournalEntry.Put(stored), JournalEntry.Put(AddHistory(stored, actor, now)) };
            foreach (var job in jobs ?? [])
            {
                // The record is new, so a job holding this key was left by a deleted record of its id.
                var scope = job.Scope ?? record.Scope;
                if (_jobKeys.TryGetValue((scope.Tenant, job.IdempotencyKey), out var taken)) entries.Add(JournalEntry.Remove(JournalOperation.RemoveJob, taken));
                NewJob(job, record.Scope, now, entries, ignoreTaken: true);
            }
            Commit(entries);
            return Task.FromResult(stored);
        }
        finally { _lock.ExitWriteLock(); }
    }

    public Task<int> AddBatchAsync(IReadOnlyList<MemoryRecord> records, string actor, IReadOnlyList<MemoryJobRequest>? jobs = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        MemoryInputValidator.ValidateActor(actor);
        var ids = new HashSet<Guid>();
        foreach (var record in records)
        {
            _validator.ValidateRecord(record);
            if (!ids.Add(record.Id)) throw new MemoryConflictException($"The batch holds record id {record.Id} twice.");
        }
        foreach (var job in jobs ?? []) _validator.ValidateJob(job, null);
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            foreach (var record in records)
                if (_records.ContainsKey(record.Id)) throw new MemoryConflictException($"A record with id {record.Id} exists already.");
            var now = Now();
            var entries = new List<JournalEntry>(records.Count * 2);
            foreach (var record in records)
            {
                var stored = Stamp(record, now);
                entries.Add(JournalEntry.Put(stored));
                entries.Add(JournalEntry.Put(AddHistory(stored, actor, now)));
            }
            // One microsecond apart, so the queue (oldest first) hands them out in the order given.
            for (var i = 0; i < (jobs?.Count ?? 0); i++) NewJob(jobs![i], null, now.AddMicroseconds(i), entries);
            Commit(entries);
            return Task.FromResult(records.Count);
        }
        finally { _lock.ExitWriteLock(); }
    }

    public Task<MemoryRecord> UpdateAsync(MemoryRecord record, string actor, MemoryEvent @event = MemoryEvent.Update, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _validator.ValidateRecord(record);
        MemoryInputValidator.ValidateActor(actor);
        if (@event is MemoryEvent.Add or MemoryEvent.Delete)
            throw new ArgumentException($"An update cannot be recorded as '{@event}'.", nameof(@event));
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            if (!_records.TryGetValue(record.Id, out var current)) throw new MemoryNotFoundException($"Record {record.Id} does not exist.");
            var old = current.Record;
            CheckUpdatable(old, record);
            var now = Now();
            var stored = Normalize(record) with { CreatedAt = old.CreatedAt, UpdatedAt = now, Version = old.Version + 1 };
            var history = new MemoryHistoryEntry
            {
                Id = Guid.NewGuid(), RecordId = stored.Id, Scope = stored.Scope, OldContent = old.Content, NewContent = stored.Content,
                Event = @event, At = now, Actor = actor, Version = stored.Version,
            };
            Commit([JournalEntry.Put(stored), JournalEntry.Put(history)]);
            return Task.FromResult(stored);
        }
        finally { _lock.ExitWriteLock(); }
    }

    public Task<bool> DeleteAsync(Guid id, string actor, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        MemoryInputValidator.ValidateActor(actor);
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            if (!_records.TryGetValue(id, out var current)) return Task.FromResult(false);
            var entries = new List<JournalEntry> { JournalEntry.Remove(JournalOperation.RemoveRecord, id) };
            if (_edgesByNode.TryGetValue(id, out var edgeIds))
                foreach (var edgeId in edgeIds) entries.Add(JournalEntry.Remove(JournalOperation.RemoveEdge, edgeId));
            entries.Add(JournalEntry.Put(new MemoryHistoryEntry
            {
                Id = Guid.NewGuid(), RecordId = id, Scope = current.Record.Scope, OldContent = current.Record.Content, NewContent = null,
                Event = MemoryEvent.Delete, At = Now(), Actor = actor, Version = current.Record.Version,
            }));
            Commit(entries);
            return Task.FromResult(true);
        }
        finally { _lock.ExitWriteLock(); }
    }

    public Task RecordNoChangeAsync(Guid id, string actor, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        MemoryInputValidator.ValidateActor(actor);
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            if (!_records.TryGetValue(id, out var current)) throw new MemoryNotFoundException($"Record {id} does not exist.");
            var r = current.Record;
            Commit([JournalEntry.Put(new MemoryHistoryEntry
            {
                Id = Guid.NewGuid(), RecordId = id, Scope = r.Scope, OldContent = r.Content, NewContent = r.Content,
                Event = MemoryEvent.None, At = Now(), Actor = actor, Version = r.Version,
            })]);
            return Task.CompletedTask;
        }
        finally { _lock.ExitWriteLock(); }
    }

    public Task<MemoryWriteResult> WriteAsync(MemoryWriteBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        ValidateBatch(batch);
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            // Every check runs against the state the batch would leave before anything is applied.
            var now = Now();
            var pending = new Dictionary<Guid, MemoryRecord>();
            MemoryRecord? Current(Guid id) => pending.TryGetValue(id, out var p) ? p : _records.TryGetValue(id, out var s) ? s.Record : null;
            var entries = new List<JournalEntry>();
            var added = new List<MemoryRecord>(batch.Adds.Count);
            foreach (var add in batch.Adds)
            {
                if (Current(add.Record.Id) is not null) throw new MemoryConflictException($"A record with id {add.Record.Id} exists already.");
                var stored = Stamp(add.Record, now);
                pending[stored.Id] = stored;
                added.Add(stored);
                entries.Add(JournalEntry.Put(stored));
                entries.Add(JournalEntry.Put(AddHistory(stored, add.Actor, now)));
            }
            var updated = new List<MemoryRecord>(batch.Updates.Count);
            foreach (var update in batch.Updates)
            {
                var old = Current(update.Record.Id) ?? throw new MemoryNotFoundException($"Record {update.Record.Id} does not exist.");
                CheckUpdatable(old, update.Record);
                var stored = Normalize(update.Record) with { CreatedAt = old.CreatedAt, UpdatedAt = now, Version = old.Version + 1 };
                pending[stored.Id] = stored;
                updated.Add(stored);
                entries.Add(JournalEntry.Put(stored));
                entries.Add(JournalEntry.Put(new MemoryHistoryEntry
                {
                    Id = Guid.NewGuid(), RecordId = stored.Id, Scope = stored.Scope, OldContent = old.Content, NewContent = stored.Content,
                    Event = update.Event, At = now, Actor = update.Actor, Version = stored.Version,
                }));
            }
            foreach (var none in batch.NoChanges)
            {
                var r = Current(none.Id) ?? throw new MemoryNotFoundException($"Record {none.Id} does not exist.");
                entries.Add(JournalEntry.Put(new MemoryHistoryEntry
                {
                    Id = Guid.NewGuid(), RecordId = r.Id, Scope = r.Scope, OldContent = r.Content, NewContent = r.Content,
                    Event = MemoryEvent.None, At = now, Actor = none.Actor, Version = r.Version,
                }));
            }
            var closed = 0;
            var closedIds = new HashSet<Guid>();
            foreach (var close in batch.EdgeCloses)
            {
                if (!_edges.TryGetValue(close.EdgeId, out var edge) || !edge.IsOpen || !closedIds.Add(close.EdgeId)) continue;
                var shut = edge with { InvalidAt = MemoryTime.Normalize(close.InvalidAt), ExpiredAt = MemoryTime.Normalize(close.ExpiredAt ?? now) };
                if (shut.ValidAt is { } v && shut.InvalidAt is { } i && i < v)
                    throw new InvalidMemoryContentException($"Edge {close.EdgeId} would become invalid ({i:O}) before it is valid ({v:O}).");
                entries.Add(JournalEntry.Put(shut));
                closed++;
            }
            foreach (var edge in batch.Edges)
            {
                if (_edges.ContainsKey(edge.Id)) throw new MemoryConflictException($"An edge with id {edge.Id} exists already.");
                foreach (var (id, end) in new[] { (edge.FromId, "from"), (edge.ToId, "to") })
                {
                    if (Current(id) is not { } r || !string.Equals(r.Scope.Tenant, edge.Scope.Tenant, StringComparison.Ordinal))
                        throw new MemoryNotFoundException($"Edge {edge.Id}: its '{end}' record {id} does not exist in tenant '{edge.Scope.Tenant}'.");
                }
                entries.Add(JournalEntry.Put(NormalizeEdge(edge) with { CreatedAt = now }));
            }
            var completed = 0;
            var completedIds = new HashSet<Guid>();
            foreach (var completion in batch.JobCompletions)
            {
                if (!_jobs.TryGetValue(completion.JobId, out var job) || job.Status != MemoryJobStatus.Pending || !completedIds.Add(job.Id)
                    || !string.Equals(job.LeaseOwner, completion.Worker, StringComparison.Ordinal) || job.LeaseExpiresAt is not { } until || until <= now) continue;
                entries.Add(JournalEntry.Put(job with { Status = MemoryJobStatus.Completed, FinishedAt = now, LeaseOwner = null, LeaseExpiresAt = null }));
                completed++;
            }
            if (entries.Count > 0) Commit(entries);
            return Task.FromResult(new MemoryWriteResult(added, updated, closed, completed));
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>The checks of a batch that need no stored state (shared with the PostgreSQL store).</summary>
    internal void ValidateBatch(MemoryWriteBatch batch) => _validator.ValidateBatch(batch);

    public Task<MemoryRecord?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        _lock.EnterReadLock();
        try { return Task.FromResult(_records.TryGetValue(id, out var s) ? s.Record : null); }
        finally { _lock.ExitReadLock(); }
    }

    public Task<IReadOnlyList<MemoryRecord>> GetManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        _lock.EnterReadLock();
        try
        {
            var found = new List<MemoryRecord>(ids.Count);
            var seen = new HashSet<Guid>();
            foreach (var id in ids)
                if (seen.Add(id) && _records.TryGetValue(id, out var s)) found.Add(s.Record);
            return Task.FromResult<IReadOnlyList<MemoryRecord>>(found);
        }
        finally { _lock.ExitReadLock(); }
    }

    public Task<IReadOnlyList<MemoryRecord>> ListAsync(MemoryFilter filter, int limit = 100, int offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        _lock.EnterReadLock();
        try
        {
            var list = InListOrder(filter).Skip(offset).Take(limit).ToList();
            return Task.FromResult<IReadOnlyList<MemoryRecord>>(list);
        }
        finally { _lock.ExitReadLock(); }
    }

    public Task<IReadOnlyList<MemoryRecord>> ListLatestAsync(MemoryFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _lock.EnterReadLock();
        try
        {
            var list = InListOrder(filter).TakeLast(limit).ToList();
            return Task.FromResult<IReadOnlyList<MemoryRecord>>(list);
        }
        finally { _lock.ExitReadLock(); }
    }

    // The order of a listing: observed, then created, then id (callers hold the read lock).
    private IEnumerable<MemoryRecord> InListOrder(MemoryFilter filter) =>
        Scan(filter.Scope).Where(filter.Matches).OrderBy(r => r.ObservedAt).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id);

    public Task<long> CountAsync(MemoryFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        _lock.EnterReadLock();
        try { return Task.FromResult((long)Scan(filter.Scope).Count(filter.Matches)); }
        finally { _lock.ExitReadLock(); }
    }

    // ------------------------------------------------------------------ search

    public Task<IReadOnlyList<ScoredMemory>> SearchByVectorAsync(float[] query, MemoryFilter filter, int topK = 10, double? minScore = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        _validator.ValidateEmbedding(query, "The query vector");
        var unit = new float[query.Length];
        VectorTable.Normalize(query, unit);
        var threshold = minScore ?? double.NegativeInfinity;

        _lock.EnterReadLock();
        try
        {
            var best = new TopK<ScoredRow>(Math.Min(topK, _vectors.Count));
            var candidates = Candidates(filter.Scope);
            if (candidates is not null && candidates.Count * 4 < _vectors.Count)
            {
                foreach (var id in candidates)
                {
                    var stored = _records[id];
                    if (stored.Slot < 0 || !filter.Matches(stored.Record)) continue;
                    var score = TensorPrimitives.Dot(_vectors.Row(stored.Slot), unit);
                    if (score >= threshold) best.Offer(new ScoredRow(score, stored.Slot));
                }
            }
            else
            {
                // First pass over int8 codes keeps the best few times k that pass the filter; the
                // second re-scores those exactly, so quantisation error cannot reorder the answer.
                foreach (var slot in Shortlist(unit, filter, Math.Max(topK * 8, 64), cancellationToken))
                {
                    var score = TensorPrimitives.Dot(_vectors.Row(slot), unit);
                    if (score >= threshold) best.Offer(new ScoredRow(score, slot));
                }
            }
            var hits = Array.ConvertAll(best.ToSortedArray(), h => new ScoredMemory(_vectors.RecordAt(h.Row), h.Score));
            return Task.FromResult<IReadOnlyList<ScoredMemory>>(hits);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>
    /// The rows of the <paramref name="size"/> best approximate scores among those that pass the filter
    /// (read lock held). Every row is scored into one buffer (large tables in parallel slices); the best
    /// rows are then taken without the filter, and only when one of them fails it is the buffer scanned
    /// again asking the filter, so a filter that passes most rows (a user's scope) is asked about the
    /// shortlist alone instead of every row that enters it along the way.
    /// </summary>
    private List<int> Shortlist(float[] unit, MemoryFilter filter, int size, CancellationToken cancellationToken)
    {
        var codes = new sbyte[unit.Length];
        var scale = VectorMath.Quantize(unit, codes);
        var count = _vectors.Count;
        var scores = ArrayPool<float>.Shared.Rent(count);
        try
        {
            var slices = count >= ParallelScanThreshold ? Math.Max(1, Environment.ProcessorCount) : 1;
            if (slices == 1) _vectors.ApproximateDots(0, codes, scale, scores.AsSpan(0, count));
            else
            {
                // On the thread pool, whatever scheduler the caller runs on (an Orleans grain's would run
                // the slices one after another on its single activation).
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = slices, CancellationToken = cancellationToken, TaskScheduler = TaskScheduler.Default };
                Parallel.For(0, slices, parallel, slice =>
                {
                    var start = (int)((long)count * slice / slices);
                    var end = (int)((long)count * (slice + 1) / slices);
                    _vectors.ApproximateDots(start, codes, scale, scores.AsSpan(start, end - start));
                });
            }
            var best = new TopK<ScoredRow>(Math.Min(size, count));
            for (var slot = 0; slot < count; slot++) best.Offer(new ScoredRow(scores[slot], slot));
            var shortlist = best.ToSortedArray();
            if (Array.TrueForAll(shortlist, r => filter.Matches(_vectors.RecordAt(r.Row)))) return [.. shortlist.Select(r => r.Row)];

            best = new TopK<ScoredRow>(Math.Min(size, count));
            for (var slot = 0; slot < count; slot++)
            {
                var row = new ScoredRow(scores[slot], slot);
                if (best.WouldTake(row) && filter.Matches(_vectors.RecordAt(slot))) best.Offer(row);
            }
            return [.. best.ToSortedArray().Select(r => r.Row)];
        }
        finally { ArrayPool<float>.Shared.Return(scores); }
    }

    private IEnumerable<MemoryRecord> Scan(MemoryScope scope) =>
        Candidates(scope) is { } ids ? ids.Select(id => _records[id].Record) : _records.Values.Select(s => s.Record);

    /// <summary>The smallest indexed id set the scope filter narrows to, or null when it sets no id.</summary>
    private HashSet<Guid>? Candidates(MemoryScope scope)
    {
        HashSet<Guid>? smallest = null;
        foreach (var (field, value) in ScopeKeys(scope))
        {
            if (!_scopeIndex.TryGetValue((scope.Tenant, field, value), out var ids)) return [];
            if (smallest is null || ids.Count < smallest.Count) smallest = ids;
        }
        return smallest;
    }

    private static IEnumerable<(int Field, string Value)> ScopeKeys(MemoryScope scope)
    {
        if (scope.UserId is { } user) yield return (0, user);
        if (scope.AgentId is { } agent) yield return (1, agent);
        if (scope.RunId is { } run) yield return (2, run);
        if (scope.TeamId is { } team) yield return (3, team);
    }

    public Task<IReadOnlyList<ScoredMemory>> SearchByTextAsync(string query, MemoryFilter filter, int topK = 10, TextField field = TextField.All, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        var terms = TextAnalyzer.Analyze(query).Terms;
        if (terms.Length == 0) return Task.FromResult<IReadOnlyList<ScoredMemory>>([]);
        _lock.EnterReadLock();
        try
        {
            var index = field switch
            {
                TextField.All => _text,
                TextField.Content => _contentText,
                _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Unknown text field."),
            };
            var candidates = Candidates(filter.Scope);
            var filtered = CountUpTo(filter, candidates, _options.Bm25MaxRecords);
            var ranked = filtered <= _options.Bm25MaxRecords
                ? index.ScoreWithinFilter(terms, filter.Matches, topK, filtered, candidates)
                : index.Score(terms, filter.Matches, topK, candidates);
            var hits = ranked.ConvertAll(p => new ScoredMemory(p.Record, p.Score));
            return Task.FromResult<IReadOnlyList<ScoredMemory>>(hits);
        }
        finally { _lock.ExitReadLock(); }
    }

    // How many records pass the filter, counted up to limit + 1 (1 when the limit is not positive: no
    // filter is then ranked by its own statistics). A filter of one scope key (or the tenant) and kinds
    // alone is answered from the counts by kind.
    private long CountUpTo(MemoryFilter filter, HashSet<Guid>? candidates, int limit)
    {
        if (limit <= 0) return 1;
        if (filter.AsksOnlyExpiry && SingleKey(filter.Scope) is { } key)
        {
            if (!_kindCounts.TryGetValue(key, out var kinds)) return 0;
            long counted = 0;
            foreach (var (kind, count) in kinds)
                if (filter.Kinds is not { Count: > 0 } wanted || wanted.Contains(kind)) counted += filter.IncludeExpired ? count.All : count.Live;
            return counted;
        }
        long n = 0;
        if (candidates is null)
        {
            foreach (var stored in _records.Values)
                if (filter.Matches(stored.Record) && ++n > limit) break;
            return n;
        }
        foreach (var id in candidates)
            if (_records.TryGetValue(id, out var stored) && filter.Matches(stored.Record) && ++n > limit) break;
        return n;
    }

    // The one scope key a scope sets (field -1 for none: the tenant as a whole), or null when it sets several.
    private static (string Tenant, int Field, string Value)? SingleKey(MemoryScope scope)
    {
        (string, int, string)? single = (scope.Tenant, -1, "");
        var keys = 0;
        foreach (var (field, value) in ScopeKeys(scope))
        {
            if (++keys > 1) return null;
            single = (scope.Tenant, field, value);
        }
        return single;
    }

    private void CountRecord(MemoryRecord record, int by)
    {
        var live = record.ExpiredAt is null ? by : 0;
        foreach (var key in ScopeKeys(record.Scope).Select(k => (record.Scope.Tenant, k.Field, k.Value)).Append((record.Scope.Tenant, -1, "")))
        {
            if (!_kindCounts.TryGetValue(key, out var kinds)) _kindCounts[key] = kinds = [];
            var (all, alive) = kinds.GetValueOrDefault(record.Kind);
            if (all + by == 0) kinds.Remove(record.Kind);
            else kinds[record.Kind] = (all + by, alive + live);
            if (kinds.Count == 0) _kindCounts.Remove(key);
        }
    }

    public async Task<SignalHits> SearchSignalsAsync(SignalSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        var vector = search.Vector is { } v ? await SearchByVectorAsync(v, search.Filter, search.TopK, null, cancellationToken).ConfigureAwait(false) : [];
        var text = search.Text is { } t ? await SearchByTextAsync(t, search.Filter, search.TopK, TextField.All, cancellationToken).ConfigureAwait(false) : [];
        var content = search.ContentText is { } c ? await SearchByTextAsync(c, search.Filter, search.TopK, TextField.Content, cancellationToken).ConfigureAwait(false) : [];
        return new SignalHits(vector, text, content);
    }

    // ------------------------------------------------------------------ edges

    public Task AddEdgesAsync(IReadOnlyList<MemoryEdge> edges, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var ids = new HashSet<Guid>();
        foreach (var edge in edges)
        {
            _validator.ValidateEdge(edge);
            if (!ids.Add(edge.Id)) throw new MemoryConflictException($"The batch holds edge id {edge.Id} twice.");
        }
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            var now = Now();
            var entries = new List<JournalEntry>(edges.Count);
            foreach (var edge in edges)
            {
                if (_edges.ContainsKey(edge.Id)) throw new MemoryConflictException($"An edge with id {edge.Id} exists already.");
                CheckEnd(edge, edge.FromId, "from");
                CheckEnd(edge, edge.ToId, "to");
                entries.Add(JournalEntry.Put(NormalizeEdge(edge) with { CreatedAt = now }));
            }
            Commit(entries);
            return Task.CompletedTask;
        }
        finally { _lock.ExitWriteLock(); }
    }

    public Task<IReadOnlyList<MemoryEdge>> GetEdgesAsync(EdgeQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        _lock.EnterReadLock();
        try
        {
            var found = new Dictionary<Guid, MemoryEdge>();
            foreach (var id in query.Ids)
            {
                if (!_edgesByNode.TryGetValue(id, out var edgeIds)) continue;
                foreach (var edgeId in edgeIds)
                {
                    var edge = _edges[edgeId];
                    if (query.Matches(edge)) found[edgeId] = edge;
                }
            }
            var list = found.Values.OrderByDescending(e => e.CreatedAt).ThenBy(e => e.Id).Take(query.Limit)
                .Select(e => query.WithEmbeddings ? e : e with { FactEmbedding = null }).ToList();
            return Task.FromResult<IReadOnlyList<MemoryEdge>>(list);
        }
        finally { _lock.ExitReadLock(); }
    }

    public Task<bool> CloseEdgeAsync(Guid edgeId, DateTimeOffset? invalidAt, DateTimeOffset? expiredAt = null, CancellationToken cancellationToken = default)
    {
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            if (!_edges.TryGetValue(edgeId, out var edge) || !edge.IsOpen) return Task.FromResult(false);
            var closed = edge with { InvalidAt = MemoryTime.Normalize(invalidAt), ExpiredAt = MemoryTime.Normalize(expiredAt ?? Now()) };
            if (closed.ValidAt is { } v && closed.InvalidAt is { } i && i < v)
                throw new InvalidMemoryContentException($"Edge {edgeId} would become invalid ({i:O}) before it is valid ({v:O}).");
            Commit([JournalEntry.Put(closed)]);
            return Task.FromResult(true);
        }
        finally { _lock.ExitWriteLock(); }
    }

    // ------------------------------------------------------------------ history and deletion

    public Task<IReadOnlyList<MemoryHistoryEntry>> GetHistoryAsync(Guid recordId, CancellationToken cancellationToken = default)
    {
        _lock.EnterReadLock();
        try
        {
            IReadOnlyList<MemoryHistoryEntry> rows = _historyByRecord.TryGetValue(recordId, out var ids)
                ? ids.Select(id => _history[id]).ToList()
                : [];
            return Task.FromResult(rows);
        }
        finally { _lock.ExitReadLock(); }
    }

    public Task<ScopeDeletion> DeleteScopeAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            var entries = new List<JournalEntry>();
            var records = _records.Values.Where(s => scope.Contains(s.Record.Scope)).Select(s => s.Record).ToList();
            var recordIds = records.Select(r => r.Id).ToHashSet();
            long embeddings = records.Count(r => r.Embedding is not null);
            foreach (var r in records) entries.Add(JournalEntry.Remove(JournalOperation.RemoveRecord, r.Id));
            var edges = _edges.Values.Where(e => scope.Contains(e.Scope) || recordIds.Contains(e.FromId) || recordIds.Contains(e.ToId)).ToList();
            embeddings += edges.Count(e => e.FactEmbedding is not null);
            foreach (var e in edges) entries.Add(JournalEntry.Remove(JournalOperation.RemoveEdge, e.Id));
            var history = _history.Values.Where(h => scope.Contains(h.Scope) || recordIds.Contains(h.RecordId)).ToList();
            foreach (var h in history) entries.Add(JournalEntry.Remove(JournalOperation.RemoveHistory, h.Id));
            var jobs = _jobs.Values.Where(j => scope.Contains(j.Scope)).ToList();
            foreach (var j in jobs) entries.Add(JournalEntry.Remove(JournalOperation.RemoveJob, j.Id));
            if (entries.Count > 0) Commit(entries);
            _logger.LogInformation("Deleted scope {Scope}: {Records} records, {Edges} edges, {History} history rows, {Jobs} jobs",
                scope, records.Count, edges.Count, history.Count, jobs.Count);
            return Task.FromResult(new ScopeDeletion(records.Count, embeddings, edges.Count, history.Count, jobs.Count));
        }
        finally { _lock.ExitWriteLock(); }
    }

    // ------------------------------------------------------------------ jobs

    public Task<IReadOnlyList<MemoryJob>> EnqueueAsync(IReadOnlyList<MemoryJobRequest> jobs, CancellationToken cancellationToken = default)
    {
        foreach (var job in jobs) _validator.ValidateJob(job, null);
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            var now = Now();
            var entries = new List<JournalEntry>();
            var result = new List<MemoryJob>(jobs.Count);
            var pending = new Dictionary<(string, string), MemoryJob>();
            foreach (var request in jobs)
            {
                var key = (request.Scope!.Tenant, request.IdempotencyKey);
                if (_jobKeys.TryGetValue(key, out var existing)) { result.Add(_jobs[existing]); continue; }
                if (pending.TryGetValue(key, out var same)) { result.Add(same); continue; }
                var job = NewJob(request, request.Scope, now, entries)!;
                pending[key] = job;
                result.Add(job);
            }
            if (entries.Count > 0) Commit(entries);
            return Task.FromResult<IReadOnlyList<MemoryJob>>(result);
        }
        finally { _lock.ExitWriteLock(); }
    }

    public Task<IReadOnlyList<MemoryJob>> ClaimJobsAsync(string worker, int max, TimeSpan lease, IReadOnlyCollection<string>? kinds = null, CancellationToken cancellationToken = default)
    {
        MemoryInputValidator.ValidateWorker(worker);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease must be positive.");
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            var now = Now();
            var claimed = _jobs.Values
                .Where(j => j.Status == MemoryJobStatus.Pending && j.AvailableAt <= now && (j.LeaseExpiresAt is null || j.LeaseExpiresAt <= now))
                .Where(j => kinds is null || kinds.Count == 0 || kinds.Contains(j.Kind))
                .OrderBy(j => j.EnqueuedAt).ThenBy(j => j.Id).Take(max)
                .Select(j => j with { LeaseOwner = worker, LeaseExpiresAt = MemoryTime.Normalize(now + lease), Attempts = j.Attempts + 1 })
                .ToList();
            if (claimed.Count > 0) Commit(claimed.Select(JournalEntry.Put).ToList());
            return Task.FromResult<IReadOnlyList<MemoryJob>>(claimed);
        }
        finally { _lock.ExitWriteLock(); }
    }

    public Task<ScopeJobClaim> ClaimScopeJobAsync(MemoryScope scope, string worker, TimeSpan lease, IReadOnlyCollection<string>? kinds = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        MemoryInputValidator.ValidateWorker(worker);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease must be positive.");
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            if (!_pendingByScope.TryGetValue(scope, out var ids)) return Task.FromResult(ScopeJobClaim.Idle);
            var now = Now();
            var pending = ids.Select(id => _jobs[id]).Where(j => kinds is null || kinds.Count == 0 || kinds.Contains(j.Kind)).ToList();
            if (pending.Count == 0) return Task.FromResult(ScopeJobClaim.Idle);
            var busyUntil = pending.Where(j => j.LeaseOwner is not null && j.LeaseOwner != worker && j.LeaseExpiresAt > now).Max(j => j.LeaseExpiresAt);
            if (busyUntil is not null) return Task.FromResult(new ScopeJobClaim(null, pending.Count, busyUntil));
            var next = pending
                .Where(j => j.AvailableAt <= now && (j.LeaseExpiresAt is null || j.LeaseExpiresAt <= now))
                .OrderBy(j => j.EnqueuedAt).ThenBy(j => j.Id).FirstOrDefault();
            if (next is null)
            {
                var retryAt = pending.Min(j => j.LeaseExpiresAt > now && j.LeaseExpiresAt > j.AvailableAt ? j.LeaseExpiresAt.Value : j.AvailableAt);
                return Task.FromResult(new ScopeJobClaim(null, pending.Count, retryAt));
            }
            var claimed = next with { LeaseOwner = worker, LeaseExpiresAt = MemoryTime.Normalize(now + lease), Attempts = next.Attempts + 1 };
            Commit([JournalEntry.Put(claimed)]);
            return Task.FromResult(new ScopeJobClaim(claimed, pending.Count, null));
        }
        finally { _lock.ExitWriteLock(); }
    }

    public Task<bool> RenewJobLeaseAsync(Guid jobId, string worker, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease must be positive.");
        return FinishJob(jobId, worker, j => j with { LeaseExpiresAt = MemoryTime.Normalize(Now() + lease) });
    }

    public Task<IReadOnlyList<MemoryScope>> ListScopesWithPendingJobsAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        _lock.EnterReadLock();
        try
        {
            IReadOnlyList<MemoryScope> scopes = _pendingByScope
                .Select(p => (Scope: p.Key, Oldest: p.Value.Min(id => _jobs[id].EnqueuedAt)))
                .OrderBy(p => p.Oldest).Take(limit).Select(p => p.Scope).ToList();
            return Task.FromResult(scopes);
        }
        finally { _lock.ExitReadLock(); }
    }

    public Task<bool> CompleteJobAsync(Guid jobId, string worker, CancellationToken cancellationToken = default) =>
        FinishJob(jobId, worker, j => j with { Status = MemoryJobStatus.Completed, FinishedAt = Now(), LeaseOwner = null, LeaseExpiresAt = null });

    public Task<bool> FailJobAsync(Guid jobId, string worker, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Length > 4000 ? error[..4000] : error;
        return FinishJob(jobId, worker, j => retryAt is { } at
            ? j with { AvailableAt = MemoryTime.Normalize(at), LeaseOwner = null, LeaseExpiresAt = null, LastError = message }
            : j with { Status = MemoryJobStatus.Failed, FinishedAt = Now(), LeaseOwner = null, LeaseExpiresAt = null, LastError = message });
    }

    public Task<bool> ReleaseJobAsync(Guid jobId, string worker, CancellationToken cancellationToken = default) =>
        FinishJob(jobId, worker, static j => j with { LeaseOwner = null, LeaseExpiresAt = null, Attempts = Math.Max(0, j.Attempts - 1) });

    public Task<MemoryJob?> GetJobAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        _lock.EnterReadLock();
        try { return Task.FromResult(_jobs.GetValueOrDefault(jobId)); }
        finally { _lock.ExitReadLock(); }
    }

    public Task<long> CountJobsAsync(MemoryScope? scope, MemoryJobStatus status, CancellationToken cancellationToken = default)
    {
        _lock.EnterReadLock();
        try { return Task.FromResult((long)_jobs.Values.Count(j => j.Status == status && (scope is null || scope.Contains(j.Scope)))); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Everything held for <paramref name="tenant"/>, counted from the raw state (not via the
    /// query paths), so a test can prove an erasure left nothing behind.</summary>
    public MemoryRowCounts CountRows(string tenant)
    {
        _lock.EnterReadLock();
        try
        {
            bool Mine(MemoryScope s) => s.Tenant == tenant;
            var records = _records.Values.Where(s => Mine(s.Record.Scope)).ToList();
            var edges = _edges.Values.Where(e => Mine(e.Scope)).ToList();
            var vectorRows = 0;
            for (var slot = 0; slot < _vectors.Count; slot++)
                if (_records.TryGetValue(_vectors.IdAt(slot), out var s) && Mine(s.Record.Scope)) vectorRows++;
            return new MemoryRowCounts(records.Count, vectorRows + edges.Count(e => e.FactEmbedding is not null), edges.Count,
                _history.Values.Count(h => Mine(h.Scope)), _jobs.Values.Count(j => Mine(j.Scope)));
        }
        finally { _lock.ExitReadLock(); }
    }

    // ------------------------------------------------------------------ persistence

    /// <summary>Writes a snapshot now and empties the journal (no-op without a snapshot path).</summary>
    public void Snapshot()
    {
        if (_persistence is null) return;
        _lock.EnterWriteLock();
        try { ThrowIfDisposed(); WriteSnapshotLocked(); }
        finally { _lock.ExitWriteLock(); }
    }

    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_disposed) return;
            if (_persistence is not null && _persistence.JournalEntries > 0) WriteSnapshotLocked();
            _persistence?.Dispose();
            _disposed = true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    private void Load()
    {
        var (snapshot, journal) = _persistence!.Load();
        if (snapshot is not null)
        {
            if (snapshot.Dimension != Dimension)
                throw new InvalidDataException($"Memory snapshot holds {snapshot.Dimension}-dimensional embeddings; the store is configured for {Dimension}.");
            foreach (var r in snapshot.Records) Apply(JournalEntry.Put(r));
            foreach (var e in snapshot.Edges) Apply(JournalEntry.Put(e));
            foreach (var h in snapshot.History) Apply(JournalEntry.Put(h));
            foreach (var j in snapshot.Jobs) Apply(JournalEntry.Put(j));
        }
        foreach (var line in journal)
            foreach (var entry in line) Apply(entry);
        _logger.LogInformation("Loaded the embedded memory store: {Records} records, {Edges} edges, {Jobs} jobs ({Journal} journal entries replayed)",
            _records.Count, _edges.Count, _jobs.Count, journal.Count);
    }

    private void WriteSnapshotLocked()
    {
        _persistence!.WriteSnapshot(new EmbeddedSnapshot
        {
            Dimension = Dimension,
            Records = _records.Values.Select(s => s.Record).ToList(),
            Edges = [.. _edges.Values],
            // Per record in the order written, so history reads back in the same order after a restart.
            History = _historyByRecord.Values.SelectMany(ids => ids.Select(id => _history[id])).ToList(),
            Jobs = [.. _jobs.Values],
        });
    }

    // Journal first (write-ahead), then apply: a failed append leaves the state untouched.
    private void Commit(IReadOnlyList<JournalEntry> entries)
    {
        if (_persistence is not null)
        {
            _persistence.Append(entries);
        }
        foreach (var entry in entries) Apply(entry);
        if (_persistence is not null && _persistence.JournalEntries >= _options.CompactAfterEntries)
        {
            try { WriteSnapshotLocked(); }
            catch (IOException e) { _logger.LogWarning(e, "Could not compact the memory journal; will retry at the next change"); }
        }
    }

    private void Apply(JournalEntry entry)
    {
        switch (entry.Op)
        {
            case JournalOperation.PutRecord: PutRecord(entry.Record!); break;
            case JournalOperation.RemoveRecord: RemoveRecord(entry.Id!.Value); break;
            case JournalOperation.PutEdge:
                var edge = entry.Edge!;
                _edges[edge.Id] = edge;
                Link(edge.FromId, edge.Id);
                Link(edge.ToId, edge.Id);
                break;
            case JournalOperation.RemoveEdge:
                if (_edges.Remove(entry.Id!.Value, out var removed))
                {
                    Unlink(removed.FromId, removed.Id);
                    Unlink(removed.ToId, removed.Id);
                }
                break;
            case JournalOperation.PutHistory:
                var h = entry.History!;
                if (_history.TryAdd(h.Id, h))
                {
                    if (!_historyByRecord.TryGetValue(h.RecordId, out var list)) _historyByRecord[h.RecordId] = list = [];
                    list.Add(h.Id);
                }
                break;
            case JournalOperation.RemoveHistory:
                if (_history.Remove(entry.Id!.Value, out var gone) && _historyByRecord.TryGetValue(gone.RecordId, out var rows))
                {
                    rows.Remove(gone.Id);
                    if (rows.Count == 0) _historyByRecord.Remove(gone.RecordId);
                }
                break;
            case JournalOperation.PutJob:
                var job = entry.Job!;
                _jobs[job.Id] = job;
                _jobKeys[(job.Scope.Tenant, job.IdempotencyKey)] = job.Id;
                if (job.Status == MemoryJobStatus.Pending)
                {
                    if (!_pendingByScope.TryGetValue(job.Scope, out var pendingIds)) _pendingByScope[job.Scope] = pendingIds = [];
                    pendingIds.Add(job.Id);
                }
                else
                {
                    Unpend(job);
                }
                break;
            case JournalOperation.RemoveJob:
                if (_jobs.Remove(entry.Id!.Value, out var oldJob))
                {
                    _jobKeys.Remove((oldJob.Scope.Tenant, oldJob.IdempotencyKey));
                    Unpend(oldJob);
                }
                break;
            default:
                throw new InvalidDataException($"Unknown journal operation {entry.Op}.");
        }
    }

    private void Unpend(MemoryJob job)
    {
        if (_pendingByScope.TryGetValue(job.Scope, out var ids) && ids.Remove(job.Id) && ids.Count == 0) _pendingByScope.Remove(job.Scope);
    }

    private void PutRecord(MemoryRecord record)
    {
        RemoveRecord(record.Id);
        var text = TextAnalyzer.Analyze(MemorySearchText.Compose(record));
        var slot = record.Embedding is null ? -1 : _vectors.Add(record, record.Embedding);
        var content = TextAnalyzer.Analyze(record.Content);
        _records[record.Id] = new StoredRecord(record, slot, text.Terms, content.Terms);
        _text.Add(record, text);
        _contentText.Add(record, content);
        CountRecord(record, +1);
        foreach (var (field, value) in ScopeKeys(record.Scope))
        {
            if (!_scopeIndex.TryGetValue((record.Scope.Tenant, field, value), out var ids)) _scopeIndex[(record.Scope.Tenant, field, value)] = ids = [];
            ids.Add(record.Id);
        }
    }

    private void RemoveRecord(Guid id)
    {
        if (!_records.Remove(id, out var stored)) return;
        _text.Remove(id, stored.Terms);
        _contentText.Remove(id, stored.ContentTerms);
        CountRecord(stored.Record, -1);
        foreach (var (field, value) in ScopeKeys(stored.Record.Scope))
        {
            var key = (stored.Record.Scope.Tenant, field, value);
            if (_scopeIndex.TryGetValue(key, out var ids) && ids.Remove(id) && ids.Count == 0) _scopeIndex.Remove(key);
        }
        if (stored.Slot >= 0 && _vectors.Remove(stored.Slot) is { } moved)
            _records[moved] = _records[moved] with { Slot = stored.Slot };
    }

    private void Link(Guid node, Guid edgeId)
    {
        if (!_edgesByNode.TryGetValue(node, out var set)) _edgesByNode[node] = set = [];
        set.Add(edgeId);
    }

    private void Unlink(Guid node, Guid edgeId)
    {
        if (_edgesByNode.TryGetValue(node, out var set) && set.Remove(edgeId) && set.Count == 0) _edgesByNode.Remove(node);
    }

    private Task<bool> FinishJob(Guid jobId, string worker, Func<MemoryJob, MemoryJob> finish)
    {
        MemoryInputValidator.ValidateWorker(worker);
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            var now = Now();
            if (!_jobs.TryGetValue(jobId, out var job) || job.Status != MemoryJobStatus.Pending
                || !string.Equals(job.LeaseOwner, worker, StringComparison.Ordinal) || job.LeaseExpiresAt is not { } until || until <= now)
                return Task.FromResult(false);
            Commit([JournalEntry.Put(finish(job))]);
            return Task.FromResult(true);
        }
        finally { _lock.ExitWriteLock(); }
    }

    private MemoryJob? NewJob(MemoryJobRequest request, MemoryScope? fallbackScope, DateTimeOffset now, List<JournalEntry> entries, bool ignoreTaken = false)
    {
        var scope = request.Scope ?? fallbackScope!;
        if (!ignoreTaken && _jobKeys.ContainsKey((scope.Tenant, request.IdempotencyKey))) return null;
        if (entries.Any(e => e.Job is { } j && j.Scope.Tenant == scope.Tenant && j.IdempotencyKey == request.IdempotencyKey)) return null;
        var job = new MemoryJob
        {
            Id = request.Id ?? Guid.NewGuid(), Scope = scope, Kind = request.Kind, PayloadJson = request.PayloadJson, IdempotencyKey = request.IdempotencyKey,
            Status = MemoryJobStatus.Pending, EnqueuedAt = now, AvailableAt = now,
        };
        entries.Add(JournalEntry.Put(job));
        return job;
    }

    private void CheckEnd(MemoryEdge edge, Guid id, string end)
    {
        if (!_records.TryGetValue(id, out var s) || !string.Equals(s.Record.Scope.Tenant, edge.Scope.Tenant, StringComparison.Ordinal))
            throw new MemoryNotFoundException($"Edge {edge.Id}: its '{end}' record {id} does not exist in tenant '{edge.Scope.Tenant}'.");
    }

    internal static void CheckUpdatable(MemoryRecord old, MemoryRecord record)
    {
        if (record.Version != old.Version)
            throw new MemoryConflictException($"Record {record.Id} is at version {old.Version}; the update was based on version {record.Version}.");
        if (old.Scope != record.Scope)
            throw new InvalidMemoryScopeException($"Record {record.Id} belongs to scope {old.Scope}; an update cannot move it to {record.Scope}.");
        if (old.Kind != record.Kind)
            throw new InvalidMemoryContentException($"Record {record.Id} is a '{old.Kind}'; an update cannot make it a '{record.Kind}'.");
    }

    private static MemoryHistoryEntry AddHistory(MemoryRecord stored, string actor, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(), RecordId = stored.Id, Scope = stored.Scope, OldContent = null, NewContent = stored.Content,
        Event = MemoryEvent.Add, At = now, Actor = actor, Version = 1,
    };

    private static MemoryRecord Stamp(MemoryRecord record, DateTimeOffset now) =>
        Normalize(record) with { CreatedAt = now, UpdatedAt = now, Version = 1, ObservedAt = record.ObservedAt == default ? now : MemoryTime.Normalize(record.ObservedAt) };

    // Copies what a caller could still mutate, and puts times in the stores' common form.
    internal static MemoryRecord Normalize(MemoryRecord r) => r with
    {
        Embedding = r.Embedding is null ? null : (float[])r.Embedding.Clone(),
        Keywords = [.. r.Keywords],
        Tags = [.. r.Tags],
        Sources = [.. r.Sources],
        Metadata = new Dictionary<string, string>(r.Metadata, StringComparer.Ordinal),
        ObservedAt = MemoryTime.Normalize(r.ObservedAt),
        ValidAt = MemoryTime.Normalize(r.ValidAt),
        InvalidAt = MemoryTime.Normalize(r.InvalidAt),
        ExpiredAt = MemoryTime.Normalize(r.ExpiredAt),
    };

    private static MemoryEdge NormalizeEdge(MemoryEdge e) => e with
    {
        FactEmbedding = e.FactEmbedding is null ? null : (float[])e.FactEmbedding.Clone(),
        Sources = [.. e.Sources],
        ValidAt = MemoryTime.Normalize(e.ValidAt),
        InvalidAt = MemoryTime.Normalize(e.InvalidAt),
        ExpiredAt = MemoryTime.Normalize(e.ExpiredAt),
    };

    private DateTimeOffset Now() => MemoryTime.Normalize(_time.GetUtcNow());

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private sealed record StoredRecord(MemoryRecord Record, int Slot, string[] Terms, string[] ContentTerms);
}
