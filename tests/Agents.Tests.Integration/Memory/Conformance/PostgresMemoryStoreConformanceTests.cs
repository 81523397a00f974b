using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Memory.Conformance;

public sealed class PostgresMemoryStoreConformanceTests(PostgresDatabase db) : MemoryStoreConformanceTests, IClassFixture<PostgresDatabase>
{
    protected override IMemoryStore CreateStore() => new PostgresMemoryStore(db.DataSource, Options, timeProvider: Clock);

    protected override Task<MemoryRowCounts> CountRowsAsync(string tenant) => CountRowsAsync(db, tenant);

    /// <summary>Every row held for the tenant, counted in SQL.</summary>
    internal static async Task<MemoryRowCounts> CountRowsAsync(PostgresDatabase db, string tenant)
    {
        await using var command = db.DataSource.CreateCommand("""
            SELECT (SELECT count(*) FROM memory_records WHERE tenant = @t),
                   (SELECT count(*) FROM memory_records WHERE tenant = @t AND embedding IS NOT NULL)
                 + (SELECT count(*) FROM memory_edges WHERE tenant = @t AND fact_embedding IS NOT NULL),
                   (SELECT count(*) FROM memory_edges WHERE tenant = @t),
                   (SELECT count(*) FROM memory_history WHERE tenant = @t),
                   (SELECT count(*) FROM memory_jobs WHERE tenant = @t)
            """);
        command.Parameters.AddWithValue("t", tenant);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new MemoryRowCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }
}
