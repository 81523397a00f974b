using Agents.Infra;
using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;
using Npgsql;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>How PostgreSQL runs write batches: a background (Rebuildable) batch commits without waiting for
/// the WAL flush, the user's add and any other batch with the server's durable setting; and a session's
/// batches find their records by id even after the table has grown far past the size it had when the
/// session first planned them (a plan that scanned the small table, or its whole tenant, would read every
/// record for every batch after).</summary>
public sealed class PostgresWriteBatchTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Only_rebuildable_batches_commit_with_synchronous_commit_off()
    {
        // Sessions start with synchronous_commit on (the test server turns it off globally); a deferred
        // trigger records the setting in force when the transaction that wrote each record commits.
        var connection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Options = "-c synchronous_commit=on" }.ConnectionString;
        await using var dataSource = PostgresDataSource.Create(connection);
        await using (var setup = dataSource.CreateCommand("""
            CREATE TABLE commit_modes (record_id uuid, mode text);
            CREATE FUNCTION record_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO commit_modes VALUES (NEW.id, current_setting('synchronous_commit')); RETURN NEW; END $$;
            CREATE CONSTRAINT TRIGGER commit_mode AFTER INSERT ON memory_records DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION record_commit_mode();
            """)) await setup.ExecuteNonQueryAsync();
        var store = new PostgresMemoryStore(dataSource);
        var scope = new MemoryScope("t" + Guid.NewGuid().ToString("N")[..12], userId: "ann");
        MemoryRecord Record(string content) => new() { Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note, Content = content };

        var added = await store.AddAsync(Record("the user's add"), "user");
        var background = Record("a background stage's note");
        await store.WriteAsync(new MemoryWriteBatch { Rebuildable = true }.Add(background, "a-mem"));
        var foreground = Record("a batch that is not rebuildable");
        await store.WriteAsync(new MemoryWriteBatch().Add(foreground, "a-mem"));
        var after = Record("the next add on the same pooled session");
        await store.AddAsync(after, "user");

        var modes = new Dictionary<Guid, string>();
        await using (var read = dataSource.CreateCommand("SELECT record_id, mode FROM commit_modes"))
        await using (var reader = await read.ExecuteReaderAsync())
            while (await reader.ReadAsync()) modes[reader.GetGuid(0)] = reader.GetString(1);
        Assert.Equal("on", modes[added.Id]);
        Assert.Equal("off", modes[background.Id]);
        Assert.Equal("on", modes[foreground.Id]);
        Assert.Equal("on", modes[after.Id]); // SET LOCAL semantics: the setting ended with its transaction
    }

    [Fact]
    public async Task Write_batches_planned_on_a_small_table_read_only_their_records_once_it_has_grown()
    {
        const int Batches = 5;
        // One pooled connection, so every batch runs on the session that prepared its statements.
        var connection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using var dataSource = PostgresDataSource.Create(connection);
        var store = new PostgresMemoryStore(dataSource);
        var scope = new MemoryScope("t" + Guid.NewGuid().ToString("N")[..12], runId: "run");
        MemoryRecord Record(string content) => new() { Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note, Content = content };

        // While the table is small: enough batches of updates and edges for the session to settle on its plans.
        var records = new List<MemoryRecord>();
        for (var i = 0; i < 3; i++) records.Add(await store.AddAsync(Record($"note {i}"), "test"));
        for (var round = 0; round < 12; round++) records = await UpdateAndLinkAsync(store, records, round);

        // The table grows, through the same session.
        await store.AddBatchAsync(Enumerable.Range(0, 4000).Select(i => Record($"later note {i}")).ToList(), "test");
        var before = await FlushedReadsAsync(dataSource, expectedUpdates: 12 * records.Count);

        for (var round = 0; round < Batches; round++) records = await UpdateAndLinkAsync(store, records, round);
        var after = await FlushedReadsAsync(dataSource, expectedUpdates: (12 + Batches) * records.Count);

        // Each batch reads its three records (and the edges' two ends) by id: a few dozen tuples in all, not
        // the 4,000 records per batch a scan would read.
        var read = after.TuplesRead - before.TuplesRead;
        Assert.True(read < 40 * Batches, $"{Batches} write batches read {read} tuples of memory_records");
    }

    // Updates every record and links them in a ring, in one batch.
    private static async Task<List<MemoryRecord>> UpdateAndLinkAsync(PostgresMemoryStore store, List<MemoryRecord> records, int round)
    {
        var batch = new MemoryWriteBatch();
        foreach (var record in records) batch.Update(record with { Content = $"{record.Content} / {round}" }, "test", MemoryEvent.Update);
        for (var i = 0; i < records.Count; i++)
            batch.AddEdge(new MemoryEdge
            {
                Id = Guid.NewGuid(), Scope = records[i].Scope, FromId = records[i].Id, ToId = records[(i + 1) % records.Count].Id, Type = "link",
            });
        return [.. (await store.WriteAsync(batch)).Updated];
    }

    /// <summary>Tuples read from memory_records so far (sequentially or through an index), once the session's
    /// statistics include <paramref name="expectedUpdates"/> updates of it (a session reports them when idle).</summary>
    private async Task<(long TuplesRead, long Updates)> FlushedReadsAsync(NpgsqlDataSource session, long expectedUpdates)
    {
        await using (var flush = session.CreateCommand("SELECT pg_stat_force_next_flush()")) await flush.ExecuteNonQueryAsync();
        for (var attempt = 0; ; attempt++)
        {
            await using var command = db.DataSource.CreateCommand("""
                SELECT pg_stat_clear_snapshot();
                SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0), n_tup_upd FROM pg_stat_user_tables WHERE relname = 'memory_records'
                """);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.NextResultAsync();
            await reader.ReadAsync();
            var (read, updates) = (reader.GetInt64(0), reader.GetInt64(1));
            if (updates >= expectedUpdates) return (read, updates);
            Assert.True(attempt < 100, $"the session's statistics show {updates} updates of memory_records, not {expectedUpdates}");
            await Task.Delay(100);
        }
    }
}
