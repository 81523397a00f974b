using Agents.Infra;
using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;
using Npgsql;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>How PostgreSQL commits write batches: a background (Rebuildable) batch without waiting for
/// the WAL flush, the user's add and any other batch with the server's durable setting.</summary>
public sealed class PostgresWriteBatchTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Only_rebuildable_batches_commit_with_synchronous_commit_off()
    {
        // Sessions start with synchronous_commit on (the test server turns it off globally); a trigger
        // records the setting in force when each record is written.
        var connection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Options = "-c synchronous_commit=on" }.ConnectionString;
        await using var dataSource = PostgresDataSource.Create(connection);
        await using (var setup = dataSource.CreateCommand("""
            CREATE TABLE commit_modes (record_id uuid, mode text);
            CREATE FUNCTION record_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO commit_modes VALUES (NEW.id, current_setting('synchronous_commit')); RETURN NEW; END $$;
            CREATE TRIGGER commit_mode AFTER INSERT ON memory_records FOR EACH ROW EXECUTE FUNCTION record_commit_mode();
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
}
