using Agents.Memory.Stores.Embedded;
using Agents.Memory.Stores.Postgres;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Agents.Memory.Stores;

/// <summary>
/// Chooses the store: PostgreSQL when a data source is configured, else the embedded store (the
/// default; with <see cref="EmbeddedMemoryStoreOptions.SnapshotPath"/> it survives restarts).
/// The PostgreSQL schema must already be migrated (<c>PostgresMigrator</c> at start-up).
/// </summary>
public static class MemoryStoreFactory
{
    public static IMemoryStore Create(MemoryStoreOptions options, NpgsqlDataSource? dataSource = null,
        EmbeddedMemoryStoreOptions? embedded = null, PostgresMemoryStoreOptions? postgres = null,
        TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        return dataSource is null
            ? new EmbeddedMemoryStore(options, embedded, timeProvider, loggers.CreateLogger<EmbeddedMemoryStore>())
            : new PostgresMemoryStore(dataSource, options, postgres, timeProvider, loggers.CreateLogger<PostgresMemoryStore>());
    }
}
