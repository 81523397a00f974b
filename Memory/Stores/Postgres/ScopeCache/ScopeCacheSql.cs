using System.Text;
using Agents.Memory.Model;
using Agents.Memory.Stores.Text;
using Npgsql;
using NpgsqlTypes;
using static Agents.Memory.Stores.Postgres.PostgresSql;

namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>The statements the scope cache adds to the PostgreSQL store: the check before a read, the
/// load of a copy, and the read-back at the end of a write.</summary>
internal static class ScopeCacheSql
{
    // The columns a copy keeps beyond the record's: the server's lexemes and lengths.
    private const string TextColumns = "search, content_search, search_length, content_length";
    private const int CachedColumnCount = RecordColumnCount + 4; // a load's rows: the record, its lexemes and lengths
    private const string EpochOf = "coalesce((SELECT epoch FROM memory_scope_epochs WHERE tenant = @ck_tenant AND key = @ck_key), 0)";

    /// <summary>The key's epoch now, as a command of another statement's batch.</summary>
    public static NpgsqlBatchCommand CheckCommand(ScopeEpochKey key)
    {
        var command = new NpgsqlBatchCommand("SELECT " + EpochOf);
        AddKey(command.Parameters, key);
        return command;
    }

    /// <summary>The key's epoch now.</summary>
    public static NpgsqlCommand Check(NpgsqlDataSource dataSource, ScopeEpochKey key)
    {
        var command = dataSource.CreateCommand("SELECT " + EpochOf);
        AddKey(command.Parameters, key);
        return command;
    }

    public static async Task<long> ReadCheckAsync(NpgsqlCommand check, CancellationToken ct)
    {
        await using var reader = await check.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return reader.GetInt64(0);
    }

    /// <summary>Every record the scope contains (expired ones too), at most <paramref name="cap"/> + 1,
    /// and the key's epoch, in one statement and so one snapshot. One row of nulls and the epoch when
    /// the scope is empty.</summary>
    public static NpgsqlCommand Load(NpgsqlDataSource dataSource, CachedScope scope, int cap)
    {
        var command = dataSource.CreateCommand();
        var where = new StringBuilder();
        AppendScope(where, command.Parameters, scope.Scope);
        AddKey(command.Parameters, scope.Key);
        command.Parameters.Add(new NpgsqlParameter<int>("cap", cap));
        command.CommandText = $"""
            SELECT r.*, e.epoch FROM (SELECT {EpochOf} AS epoch) e
            LEFT JOIN LATERAL (SELECT {RecordColumns}, {TextColumns} FROM memory_records WHERE {where} LIMIT @cap + 1) r ON true
            """;
        return command;
    }

    /// <summary>Reads a load: the epoch and the records, or null records when there were more than the cap.</summary>
    public static async Task<(long Epoch, List<CachedRecord>? Records)> ReadLoadAsync(NpgsqlCommand load, int cap, CancellationToken ct)
    {
        var records = new List<CachedRecord>();
        long epoch = 0;
        await using var reader = await load.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            epoch = reader.GetInt64(CachedColumnCount);
            if (reader.IsDBNull(0)) continue;
            if (records.Count == cap) return (epoch, null);
            records.Add(ReadCached(reader));
        }
        return (epoch, records);
    }

    /// <summary>The statement that ends a write's batch, inside its transaction: the epochs of the keys this
    /// transaction moved (not those it left alone). The records changed the store knows as they are stored,
    /// their tsvectors included (its own analysis, migration 0105).</summary>
    public static void AddReadback(NpgsqlBatch batch, CachedWrite write)
    {
        var keys = write.Keys.ToList();
        var epochs = new NpgsqlBatchCommand("""
            SELECT tenant AS scope_epoch_tenant, key, epoch FROM memory_scope_epochs
            WHERE (tenant, key) IN (SELECT * FROM unnest(@rb_tenants, @rb_keys)) AND xid = pg_current_xact_id_if_assigned()
            """);
        epochs.Parameters.Add(TextArray("rb_tenants", keys.Select(static k => k.Tenant)));
        epochs.Parameters.Add(TextArray("rb_keys", keys.Select(static k => k.Key)));
        batch.BatchCommands.Add(epochs);
    }

    /// <summary>Consumes the current result of a batch if it is a read-back; false if it is another statement's.</summary>
    public static async Task<bool> TryReadReadbackAsync(NpgsqlDataReader reader, Readback into, CancellationToken ct)
    {
        if (reader.FieldCount == 3 && reader.GetName(0) == "scope_epoch_tenant")
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                into.Epochs[new ScopeEpochKey(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            return true;
        }
        return false;
    }

    /// <summary>Reads every result of a batch, keeping the read-backs.</summary>
    public static async Task<Readback> ReadAllAsync(NpgsqlBatch batch, CancellationToken ct)
    {
        var readback = new Readback();
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        do { await TryReadReadbackAsync(reader, readback, ct).ConfigureAwait(false); }
        while (await reader.NextResultAsync(ct).ConfigureAwait(false));
        return readback;
    }

    private static CachedRecord ReadCached(NpgsqlDataReader reader) => new(
        ReadRecord(reader),
        Terms(reader.GetFieldValue<NpgsqlTsVector>(RecordColumnCount), reader.GetInt32(RecordColumnCount + 2)),
        Terms(reader.GetFieldValue<NpgsqlTsVector>(RecordColumnCount + 1), reader.GetInt32(RecordColumnCount + 3)));

    private static TextTerms Terms(NpgsqlTsVector vector, int length)
    {
        if (vector.Count == 0) return TextTerms.Empty with { Length = length };
        var lexemes = new string[vector.Count];
        var frequencies = new int[vector.Count];
        for (var i = 0; i < vector.Count; i++)
        {
            lexemes[i] = vector[i].Text;
            frequencies[i] = Math.Max(1, vector[i].Count); // coalesce(array_length(positions, 1), 1)
        }
        return new TextTerms(lexemes, frequencies, length);
    }

    private static void AddKey(NpgsqlParameterCollection parameters, ScopeEpochKey key)
    {
        parameters.Add(TextParam("ck_tenant", key.Tenant));
        parameters.Add(TextParam("ck_key", key.Key));
    }

    /// <summary>What a write's read-back returned.</summary>
    public sealed class Readback
    {
        public Dictionary<ScopeEpochKey, long> Epochs { get; } = [];

        /// <summary>The records written, as stored (with their texts' analysis), and the ids deleted.</summary>
        public static List<RecordChange> Changes(IEnumerable<(MemoryRecord Stored, RecordText Text)> stored, IEnumerable<Guid>? deleted = null)
        {
            var changes = new List<RecordChange>();
            foreach (var (record, text) in stored)
                changes.Add(new RecordChange(record.Id, new CachedRecord(record, TextTerms.Of(text.Search), TextTerms.Of(text.Content))));
            foreach (var id in deleted ?? []) changes.Add(new RecordChange(id, null));
            return changes;
        }
    }
}
