using System.Globalization;
using System.Text;
using System.Text.Json;
using Agents.Infra;
using Agents.Memory.Model;
using Agents.Memory.Stores.Postgres.ScopeCache;
using Agents.Memory.Stores.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using static Agents.Memory.Stores.Postgres.PostgresSql;

namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// PostgreSQL + pgvector store over the tables of <c>infra/migrations/</c> (0020 onwards). Every change
/// and its history row (and the jobs enqueued with a record) commit together, in one statement or one
/// transaction. Vector search is exact over a small filtered set and otherwise uses the per-dimension
/// partial HNSW index (iterative scan, so scope filters do not starve the top-k); full-text search
/// ranks with BM25 computed in SQL: with the filter's statistics up to
/// <see cref="PostgresMemoryStoreOptions.Bm25MaxRecords"/> filtered rows, with the table's above
/// (<see cref="PostgresLargeTextSearch"/>). All times come from the <see cref="TimeProvider"/>, not
/// the server clock, so both stores behave the same under test. Scopes held by their owner
/// (<see cref="HoldScope"/>) are copied in process and their searches and lists answered there, after
/// one check of the scope's epoch (<see cref="HeldScopes"/>; docs/memory-store.md).
/// </summary>
public sealed class PostgresMemoryStore : IMemoryStore, IScopeHolder
{
    private const string UniqueViolation = "23505";
    private const string ForeignKeyViolation = "23503";

    private readonly NpgsqlDataSource _dataSource;
    private readonly MemoryInputValidator _validator;
    private readonly PostgresMemoryStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HeldScopes? _cache;
    private readonly LargeScopes _largeVector;
    private readonly TableTextStatisticsCache _textStatistics;
    private readonly LargeScopes _largeText;
    // The checks claims made of their jobs' held scopes, until the jobs' stretches adopt them (AdoptCheck).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<MemoryJob, ClaimCheck> _claimChecks = [];

    public PostgresMemoryStore(NpgsqlDataSource dataSource, MemoryStoreOptions? options = null, PostgresMemoryStoreOptions? postgresOptions = null,
        TimeProvider? timeProvider = null, ILogger<PostgresMemoryStore>? logger = null)
    {
        _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
        var storeOptions = options ?? new MemoryStoreOptions();
        if (storeOptions.Dimension is < 1 or > 16_000)
            throw new ArgumentOutOfRangeException(nameof(options), storeOptions.Dimension, "The embedding dimension must be between 1 and 16000 (pgvector's limit).");
        _validator = new MemoryInputValidator(storeOptions);
        _options = postgresOptions ?? new PostgresMemoryStoreOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _options.ScopeCache.Validate();
        _cache = _options.ScopeCache.Enabled ? new HeldScopes(_options.ScopeCache) : null;
        if (_options.TextStatisticsLifetime < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(postgresOptions), _options.TextStatisticsLifetime, "TextStatisticsLifetime must not be negative.");
        _textStatistics = new TableTextStatisticsCache(_options.TextStatisticsLifetime, _time);
        _largeVector = new LargeScopes(Timeout.InfiniteTimeSpan, _time);
        _largeText = new LargeScopes(_options.TextStatisticsLifetime, _time);
    }

    public int Dimension => _validator.Options.Dimension;

    /// <summary>Keeps <paramref name="scope"/> in process while the handle lives: reads whose filter names
    /// exactly this scope are answered from the copy once the scope's epoch shows it is current.</summary>
    public IDisposable HoldScope(MemoryScope scope) => _cache?.Hold(scope) ?? NoHold.Instance;

    /// <summary>Reads of held scopes in the current async flow share one epoch check per scope until the
    /// handle is disposed (<see cref="SharedChecks"/>); a write conflict ends the sharing of the checks so far.</summary>
    public IDisposable ShareChecks() => _cache is null ? NoHold.Instance : SharedChecks.Begin();

    /// <summary>The check of its held scope that <paramref name="job"/>'s claim made in its round trip
    /// (<see cref="ClaimJobsAsync"/>, <see cref="ClaimScopeJobAsync"/>) counts for the current stretch, if any.</summary>
    public void AdoptCheck(MemoryJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (_claimChecks.TryGetValue(job, out var check)) SharedChecks.Current?.Remember(check.Copy, check.Epoch);
    }

    // A held scope's epoch, read in a claim's round trip.
    private sealed record ClaimCheck(CachedScope Copy, long Epoch);

    /// <summary>What the scope cache did so far (zeros when it is off).</summary>
    public ScopeCacheCounters ScopeCacheCounters => _cache?.Counters ?? default;

    private sealed class NoHold : IDisposable
    {
        public static readonly NoHold Instance = new();
        public void Dispose() { }
    }

    // ------------------------------------------------------------------ scope cache

    /// <summary>
    /// Answers a read from the copy of the held scope <paramref name="scope"/> when it is current: loads
    /// it on first use, then asks the database for the scope's epoch and reads the copy if it is that far
    /// (<paramref name="read"/> gets the terms of each of <paramref name="texts"/>). Not
    /// served (SQL answers): no copy, too large, this process's own writes still in flight, or
    /// <paramref name="read"/> declined.
    /// </summary>
    private Task<(bool Served, T Value)> ReadCachedAsync<T>(MemoryScope scope, IReadOnlyList<string> texts,
        Func<CachedScope, string[][], (bool Ok, T Value)> read, CancellationToken cancellationToken) =>
        _cache?.Find(scope) is { } cached ? ReadCachedAsync(cached, texts, read, cancellationToken) : Task.FromResult<(bool, T)>(default);

    private async Task<(bool Served, T Value)> ReadCachedAsync<T>(CachedScope cached, IReadOnlyList<string> texts,
        Func<CachedScope, string[][], (bool Ok, T Value)> read, CancellationToken cancellationToken)
    {
        string[][]? lexemes = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            switch (cached.State)
            {
                case CachedScopeState.TooLarge: return InSql();
                case CachedScopeState.Unloaded or CachedScopeState.Loading:
                    if (!await LoadCachedAsync(cached, cancellationToken).ConfigureAwait(false)) return InSql();
                    break;
            }
            var epoch = await CheckAsync(cached, cancellationToken).ConfigureAwait(false);
            // The store's own analysis of the query texts, as of the records' (migration 0105): only for a copy
            // that may answer.
            lexemes ??= [.. texts.Select(static t => TextAnalyzer.Analyze(t).Terms)];
            switch (cached.TryRead(epoch, c => read(c, lexemes), out var answer))
            {
                case CachedRead.Served when answer.Ok:
                    _cache!.CountServed();
                    return (true, answer.Value);
                case CachedRead.Stale:
                    if (!await LoadCachedAsync(cached, cancellationToken).ConfigureAwait(false)) return InSql();
                    continue;
                default: return InSql();
            }
        }
        return InSql();

        (bool, T) InSql()
        {
            _cache!.CountReadInSql();
            return default;
        }
    }

    /// <summary>The scope's epoch now: one round trip shared by the reads of the scope that start at the same
    /// moment (the stages of a job start theirs together).</summary>
    private async Task<long> CheckAsync(CachedScope cached, CancellationToken cancellationToken)
    {
        // In a stretch that shares checks (a pipeline job), a scope checked already is not asked again.
        var shared = SharedChecks.Current;
        if (shared is not null)
        {
            if (shared.TryGet(cached, out var sharedEpoch)) return sharedEpoch;
            if (shared.Pending(cached) is { } pending) return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        var (check, send) = cached.JoinCheck();
        shared?.Started(cached, check.Result.Task);
        if (send)
        {
            await Task.Yield(); // reads started in the same burst join before the check goes out
            cached.Seal(check);
            _cache!.CountCheck();
            try
            {
                // Not the caller's token: others wait for this answer too.
                await using var command = ScopeCacheSql.Check(_dataSource, cached.Key);
                check.Result.SetResult(await ScopeCacheSql.ReadCheckAsync(command, CancellationToken.None).ConfigureAwait(false));
            }
            catch (Exception e)
            {
                check.Result.SetException(e);
            }
        }
        var epoch = await check.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        shared?.Remember(cached, epoch);
        return epoch;
    }

    /// <summary>Loads (or reloads) a copy, or waits for the load under way; true when the copy is loaded.</summary>
    private async Task<bool> LoadCachedAsync(CachedScope cached, CancellationToken cancellationToken)
    {
        if (!cached.TryBeginLoad(out var running))
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            return cached.State == CachedScopeState.Loaded;
        }
        _cache!.CountLoad();
        try
        {
            var cap = _cache.Options.MaxRecordsPerScope;
            await using var load = ScopeCacheSql.Load(_dataSource, cached, cap);
            var (epoch, records) = await ScopeCacheSql.ReadLoadAsync(load, cap, cancellationToken).ConfigureAwait(false);
            if (records is null)
            {
                cached.FailLoad(tooLarge: true);
                _logger.LogDebug("Scope {Scope} holds more than {Cap} records: its reads stay in SQL", cached.Scope, cap);
                return false;
            }
            cached.CompleteLoad(epoch, records);
        }
        catch
        {
            cached.FailLoad(tooLarge: false);
            throw;
        }
        _cache.Trim(cached);
        return true;
    }

    /// <summary>Runs a write batch that held copies follow: its read-back tells which keys it moved and how
    /// the records it changed are stored, and the copies apply it after the commit.</summary>
    private async Task ExecuteFollowedAsync(NpgsqlBatch batch, CachedWrite? write, IReadOnlyList<(MemoryRecord Stored, RecordText Text)> stored, CancellationToken cancellationToken)
    {
        if (write is null)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            ScopeCacheSql.AddReadback(batch, write);
            var readback = await ScopeCacheSql.ReadAllAsync(batch, cancellationToken).ConfigureAwait(false);
            write.Complete(readback.Epochs, ScopeCacheSql.Readback.Changes(stored));
        }
        finally
        {
            write.Abort(); // no-op once completed
        }
    }

    // ------------------------------------------------------------------ records

    public async Task<MemoryRecord> AddAsync(MemoryRecord record, string actor, IReadOnlyList<MemoryJobRequest>? jobs = null, CancellationToken cancellationToken = default)
    {
        _validator.ValidateRecord(record);
        MemoryInputValidator.ValidateActor(actor);
        foreach (var job in jobs ?? []) _validator.ValidateJob(job, record.Scope);
        var now = Now();
        var stored = Stamp(record, now);
        var text = RecordText.Of(stored);

        // A batch without a transaction runs as one implicit transaction: all or nothing, one round trip.
        await using (var batch = _dataSource.CreateBatch())
        {
            batch.BatchCommands.Add(PostgresWriteStatements.InsertRecords([(stored, actor, text)], now));
            foreach (var job in jobs ?? []) batch.BatchCommands.Add(InsertJob(job, record.Scope, now, replaceTaken: true));
            try
            {
                await ExecuteFollowedAsync(batch, _cache?.BeginWrite([record.Scope]), [(stored, text)], cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == UniqueViolation && e.ConstraintName == "memory_records_pkey")
            {
                throw new MemoryConflictException($"A record with id {record.Id} exists already.");
            }
        }
        return stored;
    }

    public async Task<int> AddBatchAsync(IReadOnlyList<MemoryRecord> records, string actor, IReadOnlyList<MemoryJobRequest>? jobs = null, CancellationToken cancellationToken = default)
    {
        MemoryInputValidator.ValidateActor(actor);
        var ids = new HashSet<Guid>();
        foreach (var record in records)
        {
            _validator.ValidateRecord(record);
            if (!ids.Add(record.Id)) throw new MemoryConflictException($"The batch holds record id {record.Id} twice.");
        }
        foreach (var job in jobs ?? []) _validator.ValidateJob(job, null);
        if (records.Count == 0 && jobs is not { Count: > 0 }) return 0;
        var now = Now();
        var stored = records.Select(r => Stamp(r, now)).ToList();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var indexed = await IndexedScopesAsync(connection, transaction, stored, cancellationToken).ConfigureAwait(false);
            // Binary COPY: rows stream in without a statement per row (the indexes are still maintained row by row).
            await using (var copy = await connection.BeginBinaryImportAsync(CopyRecords, cancellationToken).ConfigureAwait(false))
            {
                foreach (var record in stored) await WriteRecordRowAsync(copy, record, indexed.Contains(record.Scope), cancellationToken).ConfigureAwait(false);
                await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            await using (var copy = await connection.BeginBinaryImportAsync(CopyHistory, cancellationToken).ConfigureAwait(false))
            {
                foreach (var record in stored)
                    await WriteHistoryRowAsync(copy, NewHistory(record, null, record.Content, MemoryEvent.Add, actor, now), cancellationToken).ConfigureAwait(false);
                await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (PostgresException e) when (e.SqlState == UniqueViolation && e.ConstraintName == "memory_records_pkey")
        {
            throw new MemoryConflictException($"A record of the batch exists already ({e.Detail}).");
        }
        if (jobs is { Count: > 0 })
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            // One microsecond apart, so the queue (oldest first) hands them out in the order given.
            for (var i = 0; i < jobs.Count; i++) batch.BatchCommands.Add(InsertJob(jobs[i], null, now.AddMicroseconds(i)));
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return records.Count;
    }

    private const string CopyRecords =
        "COPY memory_records (id, tenant, user_id, agent_id, run_id, team_id, kind, content, embedding, keywords, tags, context, category, " +
        "metadata, sources, search_text, observed_at, valid_at, invalid_at, expired_at, created_at, updated_at, version, vector_indexed, " +
        "search, content_search, search_length, content_length) FROM STDIN (FORMAT BINARY)";

    /// <summary>The scopes of <paramref name="records"/> that are above the HNSW index's minimum now: one
    /// question per scope instead of the row trigger's per row (migration 0099). Their rows are marked for
    /// the index, which is always safe; the others are left to the trigger, which decides at insert.</summary>
    private static async Task<HashSet<MemoryScope>> IndexedScopesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<MemoryRecord> records, CancellationToken cancellationToken)
    {
        var scopes = records.Where(r => r.Embedding is not null).Select(r => r.Scope).Distinct().ToList();
        var indexed = new HashSet<MemoryScope>();
        if (scopes.Count == 0) return indexed;
        await using var command = new NpgsqlCommand(
            "SELECT s.i FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS s(t, u, a, r, m, i) " +
            "WHERE memory_vector_index_wanted(s.t, s.u, s.a, s.r, s.m)", connection, transaction);
        PostgresWriteStatements.AddScopeArrays(command.Parameters, scopes);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) indexed.Add(scopes[(int)reader.GetInt64(0) - 1]);
        return indexed;
    }

    private const string CopyHistory =
        "COPY memory_history (id, record_id, tenant, user_id, agent_id, run_id, team_id, old_content, new_content, event, at, actor, version) FROM STDIN (FORMAT BINARY)";

    private static async Task WriteRecordRowAsync(NpgsqlBinaryImporter copy, MemoryRecord r, bool vectorIndexed, CancellationToken ct)
    {
        await copy.StartRowAsync(ct).ConfigureAwait(false);
        await copy.WriteAsync(r.Id, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
        await WriteScopeAsync(copy, r.Scope, ct).ConfigureAwait(false);
        await copy.WriteAsync(r.Kind.Value, NpgsqlDbType.Text, ct).ConfigureAwait(false);
        await copy.WriteAsync(r.Content, NpgsqlDbType.Text, ct).ConfigureAwait(false);
        if (r.Embedding is { } e) await copy.WriteAsync(new Pgvector.Vector(e), "vector", ct).ConfigureAwait(false);
        else await copy.WriteNullAsync(ct).ConfigureAwait(false);
        await copy.WriteAsync(r.Keywords.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct).ConfigureAwait(false);
        await copy.WriteAsync(r.Tags.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct).ConfigureAwait(false);
        await WriteTextAsync(copy, r.Context, ct).ConfigureAwait(false);
        await WriteTextAsync(copy, r.Category, ct).ConfigureAwait(false);
        await copy.WriteAsync(JsonSerializer.Serialize(r.Metadata), NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
        await copy.WriteAsync(r.Sources.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct).ConfigureAwait(false);
        await copy.WriteAsync(MemorySearchText.Compose(r), NpgsqlDbType.Text, ct).ConfigureAwait(false);
        await WriteTimeAsync(copy, r.ObservedAt, ct).ConfigureAwait(false);
        await WriteTimeAsync(copy, r.ValidAt, ct).ConfigureAwait(false);
        await WriteTimeAsync(copy, r.InvalidAt, ct).ConfigureAwait(false);
        await WriteTimeAsync(copy, r.ExpiredAt, ct).ConfigureAwait(false);
        await WriteTimeAsync(copy, r.CreatedAt, ct).ConfigureAwait(false);
        await WriteTimeAsync(copy, r.UpdatedAt, ct).ConfigureAwait(false);
        await copy.WriteAsync(r.Version, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
        await copy.WriteAsync(vectorIndexed, NpgsqlDbType.Boolean, ct).ConfigureAwait(false);
        var text = RecordText.Of(r);
        await copy.WriteAsync(TsVectorValue(text.Search), NpgsqlDbType.TsVector, ct).ConfigureAwait(false);
        await copy.WriteAsync(TsVectorValue(text.Content), NpgsqlDbType.TsVector, ct).ConfigureAwait(false);
        await copy.WriteAsync(text.Search.Length, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
        await copy.WriteAsync(text.Content.Length, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
    }

    private static async Task WriteHistoryRowAsync(NpgsqlBinaryImporter copy, MemoryHistoryEntry h, CancellationToken ct)
    {
        await copy.StartRowAsync(ct).ConfigureAwait(false);
        await copy.WriteAsync(h.Id, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
        await copy.WriteAsync(h.RecordId, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
        await WriteScopeAsync(copy, h.Scope, ct).ConfigureAwait(false);
        await WriteTextAsync(copy, h.OldContent, ct).ConfigureAwait(false);
        await WriteTextAsync(copy, h.NewContent, ct).ConfigureAwait(false);
        await copy.WriteAsync(h.Event.ToString(), NpgsqlDbType.Text, ct).ConfigureAwait(false);
        await WriteTimeAsync(copy, h.At, ct).ConfigureAwait(false);
        await copy.WriteAsync(h.Actor, NpgsqlDbType.Text, ct).ConfigureAwait(false);
        await copy.WriteAsync(h.Version, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
    }

    private static async Task WriteScopeAsync(NpgsqlBinaryImporter copy, MemoryScope scope, CancellationToken ct)
    {
        await copy.WriteAsync(scope.Tenant, NpgsqlDbType.Text, ct).ConfigureAwait(false);
        await WriteTextAsync(copy, scope.UserId, ct).ConfigureAwait(false);
        await WriteTextAsync(copy, scope.AgentId, ct).ConfigureAwait(false);
        await WriteTextAsync(copy, scope.RunId, ct).ConfigureAwait(false);
        await WriteTextAsync(copy, scope.TeamId, ct).ConfigureAwait(false);
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, NpgsqlDbType.Text, ct);

    private static Task WriteTimeAsync(NpgsqlBinaryImporter copy, DateTimeOffset? value, CancellationToken ct) =>
        value is { } v ? copy.WriteAsync(MemoryTime.Normalize(v).UtcDateTime, NpgsqlDbType.TimestampTz, ct) : copy.WriteNullAsync(ct);

    public async Task<MemoryRecord> UpdateAsync(MemoryRecord record, string actor, MemoryEvent @event = MemoryEvent.Update, CancellationToken cancellationToken = default)
    {
        if (@event is MemoryEvent.Add or MemoryEvent.Delete)
            throw new ArgumentException($"An update cannot be recorded as '{@event}'.", nameof(@event));
        // A batch of one update: one statement, one round trip, and when nothing matched, why.
        return (await WriteAsync(new MemoryWriteBatch().Update(record, actor, @event), cancellationToken).ConfigureAwait(false)).Updated[0];
    }

    // Codes raised by memory_expect (migration 0060) inside a write batch.
    private const string ExpectUpdated = "AGW01";
    private const string ExpectRecord = "AGW02";
    private const string ExpectValidClose = "AGW03";

    public async Task<MemoryWriteResult> WriteAsync(MemoryWriteBatch writes, CancellationToken cancellationToken = default)
    {
        try
        {
            return await WriteCoreAsync(writes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MemoryConflictException or MemoryNotFoundException)
        {
            SharedChecks.Current?.Forget(); // what was read is stale: the reads after this check again
            throw;
        }
    }

    private async Task<MemoryWriteResult> WriteCoreAsync(MemoryWriteBatch writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        _validator.ValidateBatch(writes);
        if (writes.IsEmpty) return new MemoryWriteResult([], [], 0);
        var now = Now();

        // One batch, no explicit transaction: PostgreSQL runs it as one implicit transaction, and a
        // statement that cannot apply raises (memory_expect), which aborts it whole. One round trip.
        await using var batch = _dataSource.CreateBatch();
        var settings = new PostgresBatchSettings(batch);
        if (writes.Rebuildable) settings.ForTransaction("set_config('synchronous_commit', 'off', true)");
        // Adds, then updates, then edges: each kind in as few multi-row statements as its rows need.
        var added = writes.Adds.Select(add => Stamp(add.Record, now)).ToList();
        var texts = new Dictionary<Guid, RecordText>(writes.Adds.Count + writes.Updates.Count);
        foreach (var record in added) texts[record.Id] = RecordText.Of(record);
        foreach (var chunk in writes.Adds.Select((add, i) => (added[i], add.Actor, texts[added[i].Id])).Chunk(PostgresWriteStatements.MaxRowsPerStatement))
            batch.BatchCommands.Add(PostgresWriteStatements.InsertRecords(chunk, now));
        // Their results (created_at, the check) are read in this order.
        var updates = writes.Updates
            .Select(update => (Stored: Embedded.EmbeddedMemoryStore.Normalize(update.Record) with { UpdatedAt = now, Version = update.Record.Version + 1 },
                ExpectedVersion: update.Record.Version, update.Event, update.Actor))
            .Select(update => (update.Stored, update.ExpectedVersion, update.Event, update.Actor, Text: texts[update.Stored.Id] = RecordText.Of(update.Stored)))
            .ToList();
        // Planned once, with index lookups only: while the table is small a scan joined by hash is cheaper,
        // and a plan made then would scan the table for every batch once it has grown; planned per batch
        // instead, it cost as much server time as running it (PostgresWriteStatements.UpdateRecords).
        settings.Add(PostgresBatchSettings.ByIdOnce,
            updates.Chunk(PostgresWriteStatements.MaxRowsPerStatement).Select(chunk => PostgresWriteStatements.UpdateRecords(chunk, ExpectUpdated)));
        foreach (var none in writes.NoChanges)
        {
            var command = new NpgsqlBatchCommand($"""
                WITH history AS (
                    INSERT INTO memory_history (id, record_id, tenant, user_id, agent_id, run_id, team_id, old_content, new_content, event, at, actor, version)
                    SELECT @history_id, id, tenant, user_id, agent_id, run_id, team_id, content, content, @event, @at, @actor, version
                    FROM memory_records WHERE id = @id RETURNING 1)
                SELECT memory_expect(EXISTS (SELECT 1 FROM history), '{ExpectRecord}', @expect)
                """);
            command.Parameters.Add(new NpgsqlParameter<Guid>("history_id", Guid.NewGuid()));
            command.Parameters.Add(new NpgsqlParameter<Guid>("id", none.Id));
            command.Parameters.Add(TextParam("event", MemoryEvent.None.ToString()));
            command.Parameters.Add(TimeParameter("at", now));
            command.Parameters.Add(TextParam("actor", none.Actor));
            command.Parameters.Add(TextParam("expect", $"Record {none.Id} does not exist."));
            batch.BatchCommands.Add(command);
        }
        var closes = new List<NpgsqlBatchCommand>(writes.EdgeCloses.Count);
        foreach (var close in writes.EdgeCloses)
        {
            var command = new NpgsqlBatchCommand($"""
                UPDATE memory_edges SET invalid_at = @invalid_at, expired_at = @expired_at
                WHERE id = @id AND invalid_at IS NULL AND expired_at IS NULL
                  AND memory_expect(@invalid_at IS NULL OR valid_at IS NULL OR @invalid_at >= valid_at, '{ExpectValidClose}',
                                    'Edge ' || id || ' would become invalid (' || @invalid_at || ') before it is valid (' || valid_at || ').')
                """);
            command.Parameters.Add(new NpgsqlParameter<Guid>("id", close.EdgeId));
            command.Parameters.Add(TimeParameter("invalid_at", close.InvalidAt));
            command.Parameters.Add(TimeParameter("expired_at", close.ExpiredAt ?? now));
            closes.Add(command);
            batch.BatchCommands.Add(command);
        }
        // Both ends of an edge must exist in its tenant (records added above included). The statement looks
        // them up by id alone, a plan that stays right as the table grows: it is made once, not per batch.
        settings.Add(PostgresBatchSettings.Once,
            writes.Edges.Chunk(PostgresWriteStatements.MaxRowsPerStatement).Select(chunk => PostgresWriteStatements.InsertEdges(chunk, now, ExpectRecord)));

        var completions = new List<NpgsqlBatchCommand>(writes.JobCompletions.Count);
        foreach (var completion in writes.JobCompletions.DistinctBy(static c => c.JobId))
        {
            var command = new NpgsqlBatchCommand("""
                UPDATE memory_jobs SET status = 'completed', finished_at = @now, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = @id AND status = 'pending' AND lease_owner = @worker AND lease_expires_at > @now
                """);
            command.Parameters.Add(new NpgsqlParameter<Guid>("id", completion.JobId));
            command.Parameters.Add(TextParam("worker", completion.Worker));
            command.Parameters.Add(TimeParameter("now", now));
            completions.Add(command);
            batch.BatchCommands.Add(command);
        }
        settings.Finish();

        var updated = new List<MemoryRecord>(updates.Count);
        // Held copies of the scopes written follow the batch: it ends by reading back what it moved.
        var write = texts.Count == 0 ? null : _cache?.BeginWrite(writes.Adds.Select(static a => a.Record.Scope).Concat(writes.Updates.Select(static u => u.Record.Scope)));
        var readback = new ScopeCacheSql.Readback();
        if (write is not null) ScopeCacheSql.AddReadback(batch, write);
        try
        {
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                // The updates' results: a row per update, in order.
                do
                {
                    if (write is not null && await ScopeCacheSql.TryReadReadbackAsync(reader, readback, cancellationToken).ConfigureAwait(false)) continue;
                    if (reader.FieldCount != 2 || reader.GetName(0) != PostgresWriteStatements.UpdatedCreatedAt) continue;
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var created = new DateTimeOffset(reader.GetFieldValue<DateTime>(0), TimeSpan.Zero);
                        updated.Add(updates[updated.Count].Stored with { CreatedAt = MemoryTime.Normalize(created) });
                    }
                }
                while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
            }
            write?.Complete(readback.Epochs, ScopeCacheSql.Readback.Changes(added.Concat(updated).Select(r => (r, texts[r.Id]))));
        }
        catch (PostgresException e) when (e.SqlState == ExpectUpdated && Guid.TryParse(e.MessageText, out var id))
        {
            // An update matched nothing: say why, as the embedded store does.
            var current = await GetAsync(id, cancellationToken).ConfigureAwait(false)
                ?? throw new MemoryNotFoundException($"Record {id} does not exist.");
            Embedded.EmbeddedMemoryStore.CheckUpdatable(current, writes.Updates.First(x => x.Record.Id == id).Record);
            throw new MemoryConflictException($"Record {id} changed while it was being updated; read it again.");
        }
        catch (PostgresException e) when (e.SqlState == ExpectRecord)
        {
            throw new MemoryNotFoundException(e.MessageText);
        }
        catch (PostgresException e) when (e.SqlState == ExpectValidClose)
        {
            throw new InvalidMemoryContentException(e.MessageText);
        }
        catch (PostgresException e) when (e.SqlState == UniqueViolation)
        {
            throw new MemoryConflictException($"A record or edge of the batch exists already ({e.Detail}).");
        }
        catch (PostgresException e) when (e.SqlState == ForeignKeyViolation)
        {
            throw new MemoryNotFoundException($"An edge of the batch names a record that does not exist ({e.Detail}).");
        }
        finally
        {
            write?.Abort(); // no-op once completed
        }
        var closed = closes.Sum(static c => c.RecordsAffected);
        return new MemoryWriteResult(added, updated, closed, completions.Sum(static c => c.RecordsAffected));
    }

    public async Task<bool> DeleteAsync(Guid id, string actor, CancellationToken cancellationToken = default)
    {
        MemoryInputValidator.ValidateActor(actor);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var old = await LockRecordAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false);
        if (old is null) return false;
        var write = _cache?.BeginWrite([old.Scope]);
        try
        {
            var readback = new ScopeCacheSql.Readback();
            await using (var batch = new NpgsqlBatch(connection, transaction))
            {
                // Edges go with the record (ON DELETE CASCADE).
                var delete = new NpgsqlBatchCommand("DELETE FROM memory_records WHERE id = @id");
                delete.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
                batch.BatchCommands.Add(delete);
                batch.BatchCommands.Add(InsertHistory(NewHistory(old, old.Content, null, MemoryEvent.Delete, actor, Now()) with { Version = old.Version }));
                if (write is null) await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                else
                {
                    ScopeCacheSql.AddReadback(batch, write);
                    readback = await ScopeCacheSql.ReadAllAsync(batch, cancellationToken).ConfigureAwait(false);
                }
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            write?.Complete(readback.Epochs, ScopeCacheSql.Readback.Changes([], [id]));
        }
        finally
        {
            write?.Abort(); // no-op once completed
        }
        return true;
    }

    public async Task RecordNoChangeAsync(Guid id, string actor, CancellationToken cancellationToken = default)
    {
        MemoryInputValidator.ValidateActor(actor);
        // The history row copies the record's scope, content and version as they are, in one statement.
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO memory_history (id, record_id, tenant, user_id, agent_id, run_id, team_id, old_content, new_content, event, at, actor, version)
            SELECT @history_id, id, tenant, user_id, agent_id, run_id, team_id, content, content, @event, @at, @actor, version
            FROM memory_records WHERE id = @id
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid>("history_id", Guid.NewGuid()));
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        command.Parameters.Add(TextParam("event", MemoryEvent.None.ToString()));
        command.Parameters.Add(TimeParameter("at", Now()));
        command.Parameters.Add(TextParam("actor", actor));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            throw new MemoryNotFoundException($"Record {id} does not exist.");
    }

    public async Task<MemoryRecord?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var found = await GetManyAsync([id], cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<IReadOnlyList<MemoryRecord>> GetManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return [];
        // Records that one held copy holds are read there (after its check); any id it lacks sends the read to SQL.
        if (_cache?.CopyHolding(ids.First()) is { } copy)
        {
            var cached = await ReadCachedAsync(copy, [], (c, _) =>
            {
                var found = new List<MemoryRecord>(ids.Count);
                foreach (var id in ids.Distinct())
                {
                    if (!c.Records.TryGetValue(id, out var record)) return (false, found);
                    found.Add(record.Record);
                }
                return (true, found);
            }, cancellationToken).ConfigureAwait(false);
            if (cached.Served) return cached.Value;
        }
        await using var command = _dataSource.CreateCommand($"SELECT {RecordColumns} FROM memory_records WHERE id = ANY(@ids)");
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", ids.Distinct().ToArray()));
        var byId = new Dictionary<Guid, MemoryRecord>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) { var r = ReadRecord(reader); byId[r.Id] = r; }
        var ordered = new List<MemoryRecord>(byId.Count);
        foreach (var id in ids)
            if (byId.Remove(id, out var r)) ordered.Add(r);
        return ordered;
    }

    public async Task<IReadOnlyList<MemoryRecord>> ListAsync(MemoryFilter filter, int limit = 100, int offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var cached = await ReadCachedAsync(filter.Scope, [], (c, _) => (true, CachedScopeSearch.List(c, filter, limit, offset)), cancellationToken).ConfigureAwait(false);
        if (cached.Served) return cached.Value;
        await using var command = _dataSource.CreateCommand();
        var sql = new StringBuilder($"SELECT {RecordColumns} FROM memory_records WHERE ");
        AppendFilter(sql, command.Parameters, filter);
        sql.Append(" ORDER BY observed_at, created_at, id LIMIT @limit OFFSET @offset");
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        command.Parameters.Add(new NpgsqlParameter<int>("offset", offset));
        command.CommandText = sql.ToString();
        return await ReadRecordsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<MemoryRecord>> ListLatestAsync(MemoryFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var cached = await ReadCachedAsync(filter.Scope, [], (c, _) => (true, CachedScopeSearch.ListLatest(c, filter, limit)), cancellationToken).ConfigureAwait(false);
        if (cached.Served) return cached.Value;
        await using var command = _dataSource.CreateCommand();
        var sql = new StringBuilder($"SELECT {RecordColumns} FROM memory_records WHERE ");
        AppendFilter(sql, command.Parameters, filter);
        // The scope indexes end in observed_at: read backwards from the newest, then put in order.
        sql.Append(" ORDER BY observed_at DESC, created_at DESC, id DESC LIMIT @limit");
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        command.CommandText = sql.ToString();
        var records = await ReadRecordsAsync(command, cancellationToken).ConfigureAwait(false);
        return records.Reverse().ToList();
    }

    public async Task<long> CountAsync(MemoryFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var cached = await ReadCachedAsync(filter.Scope, [], (c, _) => (true, CachedScopeSearch.Count(c, filter)), cancellationToken).ConfigureAwait(false);
        if (cached.Served) return cached.Value;
        await using var command = _dataSource.CreateCommand();
        var sql = new StringBuilder("SELECT count(*) FROM memory_records WHERE ");
        AppendFilter(sql, command.Parameters, filter);
        command.CommandText = sql.ToString();
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    // ------------------------------------------------------------------ search

    public async Task<IReadOnlyList<ScoredMemory>> SearchByVectorAsync(float[] query, MemoryFilter filter, int topK = 10, double? minScore = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        _validator.ValidateEmbedding(query, "The query vector");
        var cached = await ReadCachedAsync(filter.Scope, [], (c, _) => (true, CachedScopeSearch.Vector(c, query, filter, topK, minScore)), cancellationToken).ConfigureAwait(false);
        if (cached.Served) return cached.Value;
        var branch = VectorBranchFor(filter);
        await using (var batch = SearchBatch())
        {
            AddVectorSearch(batch, query, filter, topK, minScore, withEmbeddings: true, branch);
            if ((await ReadSearchesAsync(batch, cancellationToken).ConfigureAwait(false))[0] is { } hits) return SortByScore(hits);
        }
        return await SearchVectorHandedOnAsync(query, filter, topK, minScore, withEmbeddings: true, branch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The branch a vector search over <paramref name="filter"/> sends first: a scope alone bounds its
    /// size, so one branch (the one it took last); any other filter, both.</summary>
    private VectorSearchBranch VectorBranchFor(MemoryFilter filter) =>
        !IsScopeOnly(filter) ? VectorSearchBranch.Both
        : _largeVector.IsLarge(VectorScopeKey(filter.Scope)) ? VectorSearchBranch.Index : VectorSearchBranch.Exact; // most scopes are small

    /// <summary>A vector search whose statement, sent with <paramref name="sent"/>, handed it on: the scope is of
    /// the other size now (remembered for its next search), and the statement with both branches, which
    /// always answers, runs it.</summary>
    private async Task<List<ScoredMemory>> SearchVectorHandedOnAsync(float[] query, MemoryFilter filter, int topK, double? minScore, bool withEmbeddings,
        VectorSearchBranch sent, CancellationToken cancellationToken)
    {
        if (sent == VectorSearchBranch.Exact) _largeVector.Found(VectorScopeKey(filter.Scope));
        else if (sent == VectorSearchBranch.Index) _largeVector.Forget(VectorScopeKey(filter.Scope));
        await using var batch = SearchBatch();
        AddVectorSearch(batch, query, filter, topK, minScore, withEmbeddings, VectorSearchBranch.Both);
        return SortByScore((await ReadSearchesAsync(batch, cancellationToken).ConfigureAwait(false))[0]!);
    }

    private static string VectorScopeKey(MemoryScope scope) => string.Join('\n', ScopeCountKeys(scope).Prepend(scope.Tenant));

    /// <summary>Under which key <see cref="LargeScopes"/> remembers a filter whose rows its scope names
    /// (with or without expired records); null for any other filter, whose rows only a count tells.</summary>
    private static string? LargeTextKey(MemoryFilter filter) =>
        IsScopeOnly(filter) ? VectorScopeKey(filter.Scope) + (filter.IncludeExpired ? "\n+expired" : "") : null;

    public async Task<IReadOnlyList<ScoredMemory>> SearchByTextAsync(string query, MemoryFilter filter, int topK = 10, TextField field = TextField.All, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        _ = TextColumn(field);
        if (string.IsNullOrWhiteSpace(query)) return [];
        var cached = await ReadCachedAsync(filter.Scope, [query], (c, lexemes) =>
            CachedScopeSearch.Text(c, lexemes[0], filter, topK, field, _options.Bm25MaxRecords) is { } hits ? (true, hits) : (false, []), cancellationToken).ConfigureAwait(false);
        if (cached.Served) return cached.Value;
        var largeKey = LargeTextKey(filter);
        if (largeKey is null || !_largeText.IsLarge(largeKey))
        {
            await using var batch = SearchBatch();
            if (!AddTextSearch(batch, query, filter, topK, field)) largeKey = null;
            else if ((await ReadSearchesAsync(batch, cancellationToken).ConfigureAwait(false))[0] is { } hits) return hits;
            if (largeKey is not null) _largeText.Found(largeKey);
        }
        return await SearchLargeTextAsync(query, filter, topK, field, withEmbeddings: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SignalHits> SearchSignalsAsync(SignalSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(search.Filter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(search.TopK);
        if (search.Vector is { } v) _validator.ValidateEmbedding(v, "The query vector");
        var text = string.IsNullOrWhiteSpace(search.Text) ? null : search.Text;
        var content = string.IsNullOrWhiteSpace(search.ContentText) ? null : search.ContentText;
        if (search.Vector is null && text is null && content is null) return SignalHits.None;

        // A held scope: one round trip for the epoch and the queries' lexemes, then all three in process.
        var texts = new List<string>(2);
        if (text is not null) texts.Add(text);
        if (content is not null && content != text) texts.Add(content);
        var cached = await ReadCachedAsync(search.Filter.Scope, texts, (c, lexemes) =>
        {
            var vectorHits = search.Vector is { } q ? CachedScopeSearch.Vector(c, q, search.Filter, search.TopK, null) : [];
            List<ScoredMemory>? textHits = [], contentHits = [];
            if (text is not null) textHits = CachedScopeSearch.Text(c, lexemes[0], search.Filter, search.TopK, TextField.All, _options.Bm25MaxRecords);
            if (content is not null) contentHits = CachedScopeSearch.Text(c, lexemes[texts.IndexOf(content)], search.Filter, search.TopK, TextField.Content, _options.Bm25MaxRecords);
            return textHits is null || contentHits is null ? (false, SignalHits.None) : (true, new SignalHits(vectorHits, textHits, contentHits));
        }, cancellationToken).ConfigureAwait(false);
        if (cached.Served) return cached.Value;

        // Otherwise every search in one batch: one round trip, the server runs them one after another. A text
        // search over a filter too large to rank there follows, on its own.
        List<ScoredMemory>? vectorHits = [];
        List<ScoredMemory>? textHits = null, contentHits = null;
        var vectorBranch = VectorBranchFor(search.Filter);
        var largeKey = LargeTextKey(search.Filter);
        var textLargeKnown = largeKey is not null && _largeText.IsLarge(largeKey);
        await using (var batch = SearchBatch())
        {
            if (search.Vector is { } vector) AddVectorSearch(batch, vector, search.Filter, search.TopK, null, search.WithEmbeddings, vectorBranch, followed: text is not null || content is not null);
            var textAdded = text is not null && !textLargeKnown && AddTextSearch(batch, text, search.Filter, search.TopK, TextField.All, search.WithEmbeddings);
            var contentAdded = content is not null && !textLargeKnown && AddTextSearch(batch, content, search.Filter, search.TopK, TextField.Content, search.WithEmbeddings);
            if (search.Vector is not null || textAdded || contentAdded)
            {
                var results = await ReadSearchesAsync(batch, cancellationToken).ConfigureAwait(false);
                var next = 0;
                if (search.Vector is not null) vectorHits = results[next++] is { } hits ? SortByScore(hits) : null;
                if (textAdded) textHits = results[next++];
                if (contentAdded) contentHits = results[next];
            }
            if (largeKey is not null && ((textAdded && textHits is null) || (contentAdded && contentHits is null))) _largeText.Found(largeKey);
        }
        // A vector search handed on (the scope is of the other size than last time) goes again, on its own.
        if (vectorHits is null && search.Vector is { } again)
            vectorHits = await SearchVectorHandedOnAsync(again, search.Filter, search.TopK, null, search.WithEmbeddings, vectorBranch, cancellationToken).ConfigureAwait(false);
        // Both at once when both are left (each on its own connection).
        var textLarge = text is not null && textHits is null ? SearchLargeTextAsync(text, search.Filter, search.TopK, TextField.All, search.WithEmbeddings, cancellationToken) : null;
        var contentLarge = content is not null && contentHits is null ? SearchLargeTextAsync(content, search.Filter, search.TopK, TextField.Content, search.WithEmbeddings, cancellationToken) : null;
        await Task.WhenAll(new[] { textLarge, contentLarge }.OfType<Task>()).ConfigureAwait(false);
        return new SignalHits(vectorHits ?? [], textHits ?? textLarge?.Result ?? [], contentHits ?? contentLarge?.Result ?? []);
    }

    /// <summary>A batch for searches: JIT off first. A plan whose estimate is large (a text search over many
    /// matches; a vector search's generic plan, which costs its exact branch as a scan of the table though a
    /// one-time filter skips it) would be compiled before it runs: ~20 ms for a search of ~1 ms.</summary>
    private NpgsqlBatch SearchBatch()
    {
        var batch = _dataSource.CreateBatch();
        // For this batch only (its implicit transaction): connections return to the pool unreset.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('jit', 'off', true)"));
        return batch;
    }

    // relaxed_order may return neighbours slightly out of order.
    private static List<ScoredMemory> SortByScore(List<ScoredMemory> hits)
    {
        hits.Sort((a, b) => b.Score.CompareTo(a.Score));
        return hits;
    }

    private static string TextColumn(TextField field) => field switch
    {
        TextField.All => "search",
        TextField.Content => "content_search",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Unknown text field."),
    };

    /// <summary>Adds a vector search to <paramref name="batch"/>: its HNSW settings for the batch (in the same
    /// round trip) and the statement, whose rows are records with a score.</summary>
    private void AddVectorSearch(NpgsqlBatch batch, float[] query, MemoryFilter filter, int topK, double? minScore, bool withEmbeddings,
        VectorSearchBranch branch, bool followed = false)
    {
        var recordColumns = Columns(withEmbeddings);
        var d = Dimension.ToString(CultureInfo.InvariantCulture);

        // Iterative scan (pgvector 0.8): with a selective scope filter the index keeps scanning until
        // k rows pass, instead of filtering one ef_search-sized candidate list down to fewer than k.
        var ef = Math.Clamp(Math.Max(_options.EfSearch, 2 * topK), 1, 1000).ToString(CultureInfo.InvariantCulture);
        // A filter that is its scope: the keys whose counts bound its rows.
        var keys = IsScopeOnly(filter) ? ScopeCountKeys(filter.Scope) : null;
        var plan = VectorSearchPlan.For(branch, keys?.Count ?? 0);
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', '{ef}', true){plan.Settings}"));
        var command = new NpgsqlBatchCommand();
        var where = new StringBuilder($"embedding_dims = {d} AND ");
        AppendFilter(where, command.Parameters, filter);
        // Plain operands: a typmod cast is a function call per row, half the cost of an exact pass; the
        // filter's embedding_dims already makes both sides the query's dimension.
        const string distance = "embedding <=> @q";
        var bound = "";
        if (minScore is { } min)
        {
            bound = $" AND {distance} <= @max_distance";
            command.Parameters.Add(new NpgsqlParameter<double>("max_distance", 1 - min));
        }
        var columns = $"{recordColumns}, 1 - ({distance}) AS score";
        // The index holds half-precision copies (migration 0093) of the records of large scopes only
        // (migration 0094): it orders the candidates by their distance, the score is the exact one (the
        // caller sorts by it). A filter takes the index only when it leaves more rows than the larger of
        // the exact-search threshold and the index's minimum, and then every row it matches is indexed.
        var order = $"ORDER BY embedding::halfvec({d}) <=> @q::halfvec({d}) LIMIT @k";
        const string Cap = "cap AS (SELECT greatest(@cap, min_records) AS cap FROM memory_vector_index_policy)";
        if (keys is not null)
        {
            // The filter is its scope (and the default expiry): the scope keys' counts of records with an
            // embedding (migrations 0092, 0094) bound the rows it scores, so the choice costs one key
            // lookup instead of a pass over the rows. At most the cap: the one exact pass over them, ids
            // and distances only, then the k best rows read. Above: the index. Each branch is gated by a
            // one-time filter on the bound.
            var exactBound = minScore is null ? "" : " WHERE distance <= @max_distance";
            const string Size = """
                size AS (
                    SELECT CASE WHEN count(*) < @key_count THEN 0 ELSE min(vectors) END AS n
                    FROM memory_scope_epochs WHERE tenant = @s_tenant AND key = ANY(@scope_keys))
                """;
            const string Small = "(SELECT n FROM size) <= (SELECT cap FROM cap)";
            const string Large = "(SELECT n FROM size) > (SELECT cap FROM cap)";
            var exact = $"""
                filtered AS MATERIALIZED (SELECT id, {distance} AS distance FROM memory_records WHERE {where} AND {Small}),
                best AS (SELECT id, distance FROM filtered{exactBound} ORDER BY distance LIMIT @k)
                (SELECT {recordColumns}, 1 - best.distance AS score FROM best JOIN memory_records USING (id) ORDER BY best.distance)
                """;
            var indexed = $"(SELECT {columns} FROM memory_records WHERE {where} AND vector_indexed AND {Large}{bound} {order})";
            // One branch alone (VectorSearchBranch) hands the search on, with a row of nulls, when the
            // scope is of the other size.
            command.CommandText = branch switch
            {
                VectorSearchBranch.Exact => $"WITH {Cap},\n{Size},\n{exact}\nUNION ALL\nSELECT {HandOverRow} WHERE {Large}",
                VectorSearchBranch.Index => $"WITH {Cap},\n{Size}\n{indexed}\nUNION ALL\nSELECT {HandOverRow} WHERE {Small}",
                _ => $"WITH {Cap},\n{Size},\n{exact}\nUNION ALL\n{indexed}",
            };
            command.Parameters.Add(TextArray("scope_keys", keys));
            command.Parameters.Add(new NpgsqlParameter<int>("key_count", keys.Count));
        }
        else
        {
            // A filter that leaves few rows is searched exactly, a larger one through the index. One pass
            // over the filtered rows (the scope indexes, at most cap + 1 of them) both counts them and
            // scores them, keeping only ids and distances; the k best rows are read at the end. Each
            // branch is gated by a one-time filter on that count, so only one runs.
            var exactBound = minScore is null ? "" : " AND distance <= @max_distance";
            command.CommandText = $"""
                WITH {Cap},
                filtered AS MATERIALIZED (SELECT id, {distance} AS distance FROM memory_records WHERE {where} LIMIT (SELECT cap FROM cap) + 1),
                small AS (SELECT count(*) <= (SELECT cap FROM cap) AS yes FROM filtered),
                best AS (SELECT id, distance FROM filtered WHERE (SELECT yes FROM small){exactBound} ORDER BY distance LIMIT @k)
                (SELECT {recordColumns}, 1 - best.distance AS score FROM best JOIN memory_records USING (id) ORDER BY best.distance)
                UNION ALL
                (SELECT {columns} FROM memory_records WHERE {where} AND vector_indexed AND NOT (SELECT yes FROM small){bound} {order})
                """;
        }
        command.Parameters.Add(new NpgsqlParameter<long>("cap", Math.Max(0, _options.ExactSearchThreshold)));
        command.Parameters.Add(PgVector.Parameter("q", query));
        command.Parameters.Add(new NpgsqlParameter<int>("k", topK));
        batch.BatchCommands.Add(command);
        // The searches after it in the batch are planned as before.
        if (followed && plan.Reset is { } reset) batch.BatchCommands.Add(new NpgsqlBatchCommand(reset));
    }

    /// <summary>Whether <paramref name="filter"/> is its scope alone (with the default of skipping expired
    /// records, or not): then the scope keys' record counts bound the rows it leaves. Kinds, tags,
    /// metadata, times or as-of can leave far fewer, which only a pass over the rows tells.</summary>
    private static bool IsScopeOnly(MemoryFilter filter) =>
        filter.Kinds is not { Count: > 0 } && filter.Tags is not { Count: > 0 } && filter.Metadata is null && filter.AsOf is null
        && filter.ObservedFrom is null && filter.ObservedBefore is null;

    /// <summary>The keys of <c>memory_scope_epochs</c> whose record counts bound a scope filter's rows.</summary>
    private static List<string> ScopeCountKeys(MemoryScope scope) => ScopeEpochKey.Moved(scope).Select(static k => k.Key).ToList();

    /// <summary>Adds a full-text search to <paramref name="batch"/> (which must turn JIT off before it:
    /// the planner's estimates for the BM25 CTEs run far above the JIT threshold while the statement
    /// takes milliseconds, and compiling it would add ~100 ms). A filter of at most
    /// <see cref="PostgresMemoryStoreOptions.Bm25MaxRecords"/> rows is ranked here, by BM25 with its own
    /// statistics; for a larger one the statement answers with one empty row (<see cref="ReadSearchesAsync"/>
    /// then gives null), and <see cref="PostgresLargeTextSearch"/> ranks it. False (nothing added) when every
    /// filter goes there (a limit of 0).</summary>
    private bool AddTextSearch(NpgsqlBatch batch, string query, MemoryFilter filter, int topK, TextField field, bool withEmbeddings = true)
    {
        if (_options.Bm25MaxRecords <= 0) return false;
        var column = TextColumn(field);
        var command = new NpgsqlBatchCommand();
        batch.BatchCommands.Add(command);
        var whereText = new StringBuilder();
        AppendFilter(whereText, command.Parameters, filter);
        var where = whereText.ToString();
        var columns = Columns(withEmbeddings);
        // Any query term matches (a memory question rarely repeats all its words). The terms are the
        // store's analysis of the query, as the records' tsvectors are of their texts (migration 0105); a
        // query without any matches nothing.
        var terms = TextAnalyzer.Analyze(query).Terms;
        // The ranking orders ids and scores only; the k best rows are read at the end. The count picks the
        // branch in the same statement: BM25 here, or the row (of nulls) that hands the search on.
        command.CommandText = $"""
            WITH n AS (SELECT count(*)::float8 AS n FROM (SELECT 1 FROM memory_records WHERE {where} LIMIT @cap + 1) AS capped),
            q AS NOT MATERIALIZED (SELECT @query::tsquery AS query),
            {Bm25Sql(column, where)}
            (SELECT {columns}, best.score FROM bm25 AS best JOIN memory_records USING (id) ORDER BY best.score DESC, id)
            UNION ALL
            SELECT {HandOverRow} WHERE (SELECT n FROM n) > @cap
            """;
        command.Parameters.Add(new NpgsqlParameter<int>("cap", _options.Bm25MaxRecords));
        // A query of no terms: a lexeme of one space, which no analysis makes (an empty tsquery would match
        // nothing too, but with a notice per search).
        command.Parameters.Add(TextParam("query", AnyTerm(terms) ?? "' '"));
        command.Parameters.Add(new NpgsqlParameter<string[]>("terms", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = terms });
        command.Parameters.Add(new NpgsqlParameter<int>("k", topK));
        return true;
    }

    /// <summary>A full-text search over a filter above <see cref="PostgresMemoryStoreOptions.Bm25MaxRecords"/> rows.</summary>
    private Task<List<ScoredMemory>> SearchLargeTextAsync(string query, MemoryFilter filter, int topK, TextField field, bool withEmbeddings, CancellationToken cancellationToken) =>
        PostgresLargeTextSearch.SearchAsync(_dataSource, _textStatistics, query, filter, topK, TextColumn(field), LengthColumn(TextColumn(field)), withEmbeddings, cancellationToken);

    // Okapi BM25 (k1 1.2, b 0.75), as the embedded store ranks, with the statistics of the filtered
    // records (n: how many pass the filter, capped): every record holding a query word matches, so the
    // matches give each word's document frequency; the average length is the matches' (the cheap
    // estimate). A document's length is stored with it (migration 0061), and only its query lexemes are
    // unnested (setweight marks them, ts_filter keeps them). Runs only when the count is within the
    // cap (a one-time filter on the matches).
    private static string Bm25Sql(string column, string where) => $"""
        matched AS (
            SELECT r.id, r.{LengthColumn(column)}::float8 AS dl, {QueryLexemes($"r.{column}", "@terms")} AS doc
            FROM memory_records r, q WHERE r.{column} @@ q.query AND {where} AND (SELECT n FROM n) <= @cap),
        hits AS (
            SELECT m.id, m.dl, u.lexeme, {TermFrequency("u")} AS tf
            FROM matched m, unnest(m.doc) AS u),
        df AS (SELECT lexeme, count(*)::float8 AS df FROM hits GROUP BY lexeme),
        avgdl AS (SELECT greatest(avg(dl), 1) AS avgdl FROM matched),
        scored AS (
            SELECT h.id, sum({Bm25Weight("ln(1 + (n.n - df.df + 0.5) / (df.df + 0.5))", "h.tf", "h.dl", "avgdl.avgdl")}) AS score
            FROM hits h JOIN df USING (lexeme), avgdl, n GROUP BY h.id),
        bm25 AS (SELECT id, score FROM scored ORDER BY score DESC, id LIMIT @k)
        """;

    private static string LengthColumn(string column) => column == "search" ? "search_length" : "content_length";

    // ------------------------------------------------------------------ edges

    public async Task AddEdgesAsync(IReadOnlyList<MemoryEdge> edges, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edges);
        // A batch of edges: both ends of each must exist in its tenant (the statement checks, and its foreign
        // keys keep them from vanishing before the commit).
        var batch = new MemoryWriteBatch();
        foreach (var edge in edges) batch.AddEdge(edge);
        await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<MemoryEdge>> GetEdgesAsync(EdgeQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Ids.Count == 0) return [];
        // Planned once, by the edge indexes: left to choose, the server plans it again at every call (a
        // custom plan for each id array, as long as planning it costs as much as running it), and a generic
        // plan made while the table is small would scan it ever after.
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {PostgresBatchSettings.ByIdOnce}"));
        var command = new NpgsqlBatchCommand();
        batch.BatchCommands.Add(command);
        var sql = new StringBuilder($"SELECT {(query.WithEmbeddings ? EdgeColumns : EdgeColumnsWithoutEmbedding)} FROM memory_edges WHERE tenant = @tenant AND ");
        sql.Append(query.Direction switch
        {
            EdgeDirection.Outgoing => "from_id = ANY(@ids)",
            EdgeDirection.Incoming => "to_id = ANY(@ids)",
            _ => "(from_id = ANY(@ids) OR to_id = ANY(@ids))",
        });
        command.Parameters.Add(TextParam("tenant", query.Tenant));
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", query.Ids.Distinct().ToArray()));
        if (query.Types is { Count: > 0 } types)
        {
            sql.Append(" AND type = ANY(@types)");
            command.Parameters.Add(TextArray("types", types));
        }
        if (query.ExcludeTypes is { Count: > 0 } excluded)
        {
            sql.Append(" AND type <> ALL(@excluded_types)");
            command.Parameters.Add(TextArray("excluded_types", excluded));
        }
        if (query.AsOf is { } asOf)
        {
            sql.Append(" AND (valid_at IS NULL OR valid_at <= @asof) AND (invalid_at IS NULL OR invalid_at > @asof) AND (expired_at IS NULL OR expired_at > @asof)");
            command.Parameters.Add(TimeParameter("asof", asOf));
        }
        else if (!query.IncludeClosed)
        {
            sql.Append(" AND invalid_at IS NULL AND expired_at IS NULL");
        }
        sql.Append(" ORDER BY created_at DESC, id LIMIT @limit");
        command.Parameters.Add(new NpgsqlParameter<int>("limit", query.Limit));
        command.CommandText = sql.ToString();
        var edges = new List<MemoryEdge>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the settings' row
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) edges.Add(ReadEdge(reader));
        return edges;
    }

    public async Task<bool> CloseEdgeAsync(Guid edgeId, DateTimeOffset? invalidAt, DateTimeOffset? expiredAt = null, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("""
            UPDATE memory_edges SET invalid_at = @invalid_at, expired_at = @expired_at
            WHERE id = @id AND invalid_at IS NULL AND expired_at IS NULL
            RETURNING valid_at
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", edgeId));
        command.Parameters.Add(TimeParameter("invalid_at", invalidAt));
        command.Parameters.Add(TimeParameter("expired_at", expiredAt ?? Now()));
        // A check before the write keeps the refusal free of side effects.
        if (invalidAt is { } i)
        {
            await using var check = _dataSource.CreateCommand("SELECT valid_at FROM memory_edges WHERE id = @id");
            check.Parameters.Add(new NpgsqlParameter<Guid>("id", edgeId));
            if (await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is DateTime valid && MemoryTime.Normalize(i) < new DateTimeOffset(valid, TimeSpan.Zero))
                throw new InvalidMemoryContentException($"Edge {edgeId} would become invalid ({i:O}) before it is valid ({valid:O}).");
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ history and deletion

    public async Task<IReadOnlyList<MemoryHistoryEntry>> GetHistoryAsync(Guid recordId, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {HistoryColumns} FROM memory_history WHERE record_id = @id ORDER BY seq");
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", recordId));
        var rows = new List<MemoryHistoryEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(ReadHistory(reader));
        return rows;
    }

    public async Task<ScopeDeletion> DeleteScopeAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        async Task<(long Rows, long Embeddings)> DeleteAsync(string table, string embeddingColumn, string extra)
        {
            await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
            var where = new StringBuilder();
            AppendScope(where, command.Parameters, scope);
            command.CommandText =
                $"WITH d AS (DELETE FROM {table} WHERE ({where}){extra} RETURNING {embeddingColumn} IS NOT NULL AS e) " +
                "SELECT count(*), count(*) FILTER (WHERE e) FROM d";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }

        var recordScope = new StringBuilder();
        await using (var probe = new NpgsqlCommand()) AppendScope(recordScope, probe.Parameters, scope, "s_", "r.");
        // Edges of the scope and edges from other scopes that touch its records.
        var touching = $" OR from_id IN (SELECT r.id FROM memory_records r WHERE {recordScope}) OR to_id IN (SELECT r.id FROM memory_records r WHERE {recordScope})";
        var edges = await DeleteAsync("memory_edges", "fact_embedding", touching).ConfigureAwait(false);
        var history = await DeleteAsync("memory_history", "NULL::int", "").ConfigureAwait(false);
        var jobs = await DeleteAsync("memory_jobs", "NULL::int", "").ConfigureAwait(false);
        var records = await DeleteAsync("memory_records", "embedding", "").ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Deleted scope {Scope}: {Records} records, {Edges} edges, {History} history rows, {Jobs} jobs",
            scope, records.Rows, edges.Rows, history.Rows, jobs.Rows);
        return new ScopeDeletion(records.Rows, records.Embeddings + edges.Embeddings, edges.Rows, history.Rows, jobs.Rows);
    }

    // ------------------------------------------------------------------ jobs

    public async Task<IReadOnlyList<MemoryJob>> EnqueueAsync(IReadOnlyList<MemoryJobRequest> jobs, CancellationToken cancellationToken = default)
    {
        foreach (var job in jobs) _validator.ValidateJob(job, null);
        if (jobs.Count == 0) return [];
        var now = Now();
        // The inserts and the read of the stored jobs (new or existing for the key, returned in the order
        // asked) in one batch: one implicit transaction, one round trip.
        await using var batch = _dataSource.CreateBatch();
        foreach (var job in jobs) batch.BatchCommands.Add(InsertJob(job, null, now));
        var select = new NpgsqlBatchCommand($"""
            SELECT {JobColumns} FROM memory_jobs
            WHERE (tenant, idempotency_key) IN (SELECT * FROM unnest(@tenants, @keys))
            """);
        select.Parameters.Add(TextArray("tenants", jobs.Select(static j => j.Scope!.Tenant)));
        select.Parameters.Add(TextArray("keys", jobs.Select(static j => j.IdempotencyKey)));
        batch.BatchCommands.Add(select);
        var byKey = new Dictionary<(string, string), MemoryJob>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            do
            {
                if (reader.FieldCount != JobColumnCount) continue;
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) { var j = ReadJob(reader); byKey[(j.Scope.Tenant, j.IdempotencyKey)] = j; }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }
        return jobs.Select(j => byKey[(j.Scope!.Tenant, j.IdempotencyKey)]).ToList();
    }

    public async Task<IReadOnlyList<MemoryJob>> ClaimJobsAsync(string worker, int max, TimeSpan lease, IReadOnlyCollection<string>? kinds = null, CancellationToken cancellationToken = default)
    {
        MemoryInputValidator.ValidateWorker(worker);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease must be positive.");
        var now = Now();
        var kindFilter = kinds is { Count: > 0 } ? " AND kind = ANY(@kinds)" : "";
        // Planned once, walking the queue's index in order: a plan made while many jobs were pending read
        // every pending job through a bitmap and sorted them, for every claim. The transaction is the claim's alone.
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {PostgresBatchSettings.IndexOrderOnce}"));
        var command = new NpgsqlBatchCommand($"""
            UPDATE memory_jobs j SET lease_owner = @worker, lease_expires_at = @until, attempts = j.attempts + 1
            FROM (SELECT id FROM memory_jobs
                  WHERE status = 'pending' AND available_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at <= @now){kindFilter}
                  ORDER BY enqueued_at, id LIMIT @max FOR UPDATE SKIP LOCKED) c
            WHERE j.id = c.id
            RETURNING {string.Join(", ", JobColumns.Split(", ").Select(c => "j." + c))},
                coalesce((SELECT e.epoch FROM memory_scope_epochs e WHERE e.tenant = j.tenant AND e.key = {ScopeEpochKey.OfSql("j")}), 0) AS scope_epoch
            """);
        command.Parameters.Add(TextParam("worker", worker));
        command.Parameters.Add(TimeParameter("until", now + lease));
        command.Parameters.Add(TimeParameter("now", now));
        command.Parameters.Add(new NpgsqlParameter<int>("max", max));
        if (kinds is { Count: > 0 }) command.Parameters.Add(TextArray("kinds", kinds));
        batch.BatchCommands.Add(command);
        var jobs = new List<MemoryJob>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var job = ReadJob(reader);
                jobs.Add(job);
                // The job's scope as of the claim's snapshot, which holds the job's input: where a held scope's
                // job starts reading (the claim is its check).
                if (_cache?.Find(job.Scope) is { } copy) _claimChecks.AddOrUpdate(job, new ClaimCheck(copy, reader.GetInt64(JobColumnCount)));
            }
        }
        jobs.Sort((a, b) => a.EnqueuedAt != b.EnqueuedAt ? a.EnqueuedAt.CompareTo(b.EnqueuedAt) : a.Id.CompareTo(b.Id));
        return jobs;
    }

    public async Task<ScopeJobClaim> ClaimScopeJobAsync(MemoryScope scope, string worker, TimeSpan lease, IReadOnlyCollection<string>? kinds = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        MemoryInputValidator.ValidateWorker(worker);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease must be positive.");
        var now = Now();
        var where = new StringBuilder("status = 'pending' AND ");
        // One batch, one implicit transaction, one round trip. Claimers of one scope queue on this lock
        // (held to the end of that transaction), so "no live lease of another worker" stays true until
        // the claim commits.
        await using var batch = _dataSource.CreateBatch();
        // The claim below is planned once, by the scope's pending and leased indexes (the settings ride with the
        // lock). Its pick orders by the pending index's columns (the scope's are fixed by its filter, so the
        // order is the queue's): with the scope's ids in an IS NULL, the planner does not see that the index
        // gives enqueue order, and sorted the scope's jobs read through another index, or counted them by a
        // sequential scan.
        var lockScope = new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock(hashtextextended(@scope_key, 0)), {PostgresBatchSettings.IndexOrderOnce}");
        lockScope.Parameters.Add(TextParam("scope_key", ScopeKey(scope)));
        batch.BatchCommands.Add(lockScope);
        var claim = new NpgsqlBatchCommand();
        AppendExactScope(where, claim.Parameters, scope);
        if (kinds is { Count: > 0 })
        {
            where.Append(" AND kind = ANY(@kinds)");
            claim.Parameters.Add(TextArray("kinds", kinds));
        }
        // Each question reads its own index (migration 0100): the live leases of other workers, the oldest
        // claimable job, the backlog's count; when to look again only when nothing was claimed.
        claim.CommandText = $"""
            WITH busy AS (
                SELECT max(lease_expires_at) AS until FROM memory_jobs
                WHERE {where} AND lease_owner IS NOT NULL AND lease_owner <> @worker AND lease_expires_at > @now),
            pick AS (
                SELECT id FROM memory_jobs
                WHERE {where} AND (SELECT until FROM busy) IS NULL AND available_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at <= @now)
                ORDER BY tenant, user_id, agent_id, run_id, team_id, enqueued_at, id LIMIT 1),
            claimed AS (
                UPDATE memory_jobs j SET lease_owner = @worker, lease_expires_at = @until, attempts = j.attempts + 1
                FROM pick WHERE j.id = pick.id
                RETURNING {string.Join(", ", JobColumns.Split(", ").Select(c => "j." + c))})
            SELECT {string.Join(", ", JobColumns.Split(", ").Select(c => "c." + c))},
                (SELECT count(*) FROM memory_jobs WHERE {where}) AS pending, (SELECT until FROM busy) AS busy_until,
                CASE WHEN c.id IS NULL THEN (SELECT min(greatest(available_at, CASE WHEN lease_expires_at > @now THEN lease_expires_at END))
                                             FROM memory_jobs WHERE {where}) END AS next_at
            FROM (SELECT 1) one LEFT JOIN claimed c ON true
            """;
        claim.Parameters.Add(TextParam("worker", worker));
        claim.Parameters.Add(TimeParameter("until", now + lease));
        claim.Parameters.Add(TimeParameter("now", now));
        batch.BatchCommands.Add(claim);
        // A held scope's epoch now, in the same round trip, is the check the job's first read would send: it
        // counts for the stretch that adopts the job (AdoptCheck).
        var copy = _cache?.Find(scope);
        if (copy is not null) batch.BatchCommands.Add(ScopeCacheSql.CheckCommand(copy.Key));
        ScopeJobClaim result;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var columns = JobColumnCount;
            var pending = reader.GetInt64(columns);
            var job = reader.IsDBNull(0) ? null : ReadJob(reader);
            DateTimeOffset? retryAt = job is not null || pending == 0 ? null
                : reader.IsDBNull(columns + 1) ? Time(reader, columns + 2) : Time(reader, columns + 1);
            result = new ScopeJobClaim(job, pending, retryAt);
            if (job is not null && copy is not null && await reader.NextResultAsync(cancellationToken).ConfigureAwait(false) && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                _claimChecks.AddOrUpdate(job, new ClaimCheck(copy, reader.GetInt64(0)));
        }
        return result;
    }

    public async Task<bool> RenewJobLeaseAsync(Guid jobId, string worker, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        MemoryInputValidator.ValidateWorker(worker);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease must be positive.");
        var now = Now();
        await using var command = _dataSource.CreateCommand("""
            UPDATE memory_jobs SET lease_expires_at = @until
            WHERE id = @id AND status = 'pending' AND lease_owner = @worker AND lease_expires_at > @now
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", jobId));
        command.Parameters.Add(TextParam("worker", worker));
        command.Parameters.Add(TimeParameter("until", now + lease));
        command.Parameters.Add(TimeParameter("now", now));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<MemoryScope>> ListScopesWithPendingJobsAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = _dataSource.CreateCommand("""
            SELECT tenant, user_id, agent_id, run_id, team_id FROM memory_jobs WHERE status = 'pending'
            GROUP BY tenant, user_id, agent_id, run_id, team_id ORDER BY min(enqueued_at) LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var scopes = new List<MemoryScope>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) scopes.Add(ReadScope(reader, 0));
        return scopes;
    }

    public async Task<bool> CompleteJobAsync(Guid jobId, string worker, CancellationToken cancellationToken = default)
    {
        MemoryInputValidator.ValidateWorker(worker);
        await using var command = _dataSource.CreateCommand("""
            UPDATE memory_jobs SET status = 'completed', finished_at = @now, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @id AND status = 'pending' AND lease_owner = @worker AND lease_expires_at > @now
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", jobId));
        command.Parameters.Add(TextParam("worker", worker));
        command.Parameters.Add(TimeParameter("now", Now()));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> FailJobAsync(Guid jobId, string worker, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken = default)
    {
        MemoryInputValidator.ValidateWorker(worker);
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Length > 4000 ? error[..4000] : error;
        await using var command = _dataSource.CreateCommand(retryAt is null
            ? """
              UPDATE memory_jobs SET status = 'failed', finished_at = @now, lease_owner = NULL, lease_expires_at = NULL, last_error = @error
              WHERE id = @id AND status = 'pending' AND lease_owner = @worker AND lease_expires_at > @now
              """
            : """
              UPDATE memory_jobs SET available_at = @retry_at, lease_owner = NULL, lease_expires_at = NULL, last_error = @error
              WHERE id = @id AND status = 'pending' AND lease_owner = @worker AND lease_expires_at > @now
              """);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", jobId));
        command.Parameters.Add(TextParam("worker", worker));
        command.Parameters.Add(TextParam("error", message.Replace('\0', ' ')));
        command.Parameters.Add(TimeParameter("now", Now()));
        if (retryAt is { } at) command.Parameters.Add(TimeParameter("retry_at", at));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> ReleaseJobAsync(Guid jobId, string worker, CancellationToken cancellationToken = default)
    {
        MemoryInputValidator.ValidateWorker(worker);
        await using var command = _dataSource.CreateCommand("""
            UPDATE memory_jobs SET lease_owner = NULL, lease_expires_at = NULL, attempts = greatest(attempts - 1, 0)
            WHERE id = @id AND status = 'pending' AND lease_owner = @worker AND lease_expires_at > @now
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", jobId));
        command.Parameters.Add(TextParam("worker", worker));
        command.Parameters.Add(TimeParameter("now", Now()));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<MemoryJob?> GetJobAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {JobColumns} FROM memory_jobs WHERE id = @id");
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", jobId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadJob(reader) : null;
    }

    public async Task<long> CountJobsAsync(MemoryScope? scope, MemoryJobStatus status, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand();
        var sql = new StringBuilder("SELECT count(*) FROM memory_jobs WHERE status = @status");
        command.Parameters.Add(TextParam("status", StatusText(status)));
        if (scope is not null)
        {
            sql.Append(" AND ");
            AppendScope(sql, command.Parameters, scope);
        }
        command.CommandText = sql.ToString();
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    // ------------------------------------------------------------------ helpers

    private static NpgsqlBatchCommand InsertHistory(MemoryHistoryEntry h)
    {
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO memory_history (id, record_id, tenant, user_id, agent_id, run_id, team_id, old_content, new_content, event, at, actor, version)
            VALUES (@id, @record_id, @tenant, @user_id, @agent_id, @run_id, @team_id, @old_content, @new_content, @event, @at, @actor, @version)
            """);
        var p = insert.Parameters;
        p.Add(new NpgsqlParameter<Guid>("id", h.Id));
        p.Add(new NpgsqlParameter<Guid>("record_id", h.RecordId));
        AddScopeParameters(p, h.Scope);
        p.Add(TextParam("old_content", h.OldContent));
        p.Add(TextParam("new_content", h.NewContent));
        p.Add(TextParam("event", h.Event.ToString()));
        p.Add(TimeParameter("at", h.At));
        p.Add(TextParam("actor", h.Actor));
        p.Add(new NpgsqlParameter<long>("version", h.Version));
        return insert;
    }

    private const string InsertJobSql = """
        INSERT INTO memory_jobs (id, tenant, user_id, agent_id, run_id, team_id, kind, payload, idempotency_key, status, attempts, enqueued_at, available_at)
        VALUES (@id, @tenant, @user_id, @agent_id, @run_id, @team_id, @kind, @payload, @key, 'pending', 0, @now, @now)

        """;

    private const string ReplaceTakenJob = """
        ON CONFLICT (tenant, idempotency_key) DO UPDATE SET
            id = excluded.id, user_id = excluded.user_id, agent_id = excluded.agent_id, run_id = excluded.run_id, team_id = excluded.team_id,
            kind = excluded.kind, payload = excluded.payload, status = 'pending', attempts = 0, enqueued_at = excluded.enqueued_at,
            available_at = excluded.available_at, lease_owner = NULL, lease_expires_at = NULL, finished_at = NULL, last_error = NULL
        """;

    // replaceTaken: a job written with a new record takes over its key (see IMemoryStore.AddAsync).
    private static NpgsqlBatchCommand InsertJob(MemoryJobRequest job, MemoryScope? fallbackScope, DateTimeOffset now, bool replaceTaken = false)
    {
        var insert = new NpgsqlBatchCommand(InsertJobSql + (replaceTaken ? ReplaceTakenJob : "ON CONFLICT (tenant, idempotency_key) DO NOTHING"));
        var p = insert.Parameters;
        p.Add(new NpgsqlParameter<Guid>("id", job.Id ?? Guid.NewGuid()));
        AddScopeParameters(p, job.Scope ?? fallbackScope!);
        p.Add(TextParam("kind", job.Kind));
        p.Add(TextParam("payload", job.PayloadJson));
        p.Add(TextParam("key", job.IdempotencyKey));
        p.Add(TimeParameter("now", now));
        return insert;
    }

    private static async Task<MemoryRecord?> LockRecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand($"SELECT {RecordColumns} FROM memory_records WHERE id = @id FOR UPDATE", connection, transaction);
        select.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRecord(reader) : null;
    }

    private static async Task<IReadOnlyList<MemoryRecord>> ReadRecordsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var records = new List<MemoryRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) records.Add(ReadRecord(reader));
        return records;
    }

    private static MemoryHistoryEntry NewHistory(MemoryRecord r, string? oldContent, string? newContent, MemoryEvent @event, string actor, DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid(), RecordId = r.Id, Scope = r.Scope, OldContent = oldContent, NewContent = newContent,
        Event = @event, At = at, Actor = actor, Version = r.Version,
    };

    private static MemoryRecord Stamp(MemoryRecord record, DateTimeOffset now) =>
        Embedded.EmbeddedMemoryStore.Normalize(record) with
        {
            CreatedAt = now, UpdatedAt = now, Version = 1,
            ObservedAt = record.ObservedAt == default ? now : MemoryTime.Normalize(record.ObservedAt),
        };

    private DateTimeOffset Now() => MemoryTime.Normalize(_time.GetUtcNow());
}
