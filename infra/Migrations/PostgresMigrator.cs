using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Agents.Infra.Migrations;

/// <summary>
/// Applies the catalog's migrations to a database, each in its own transaction, recording them in
/// <c>agents_schema_migrations</c>. A session-level advisory lock serialises migrators, so silos that
/// start together apply every migration exactly once. A migration already applied whose file has
/// changed since is refused: schema history is append-only.
/// </summary>
public sealed class PostgresMigrator(NpgsqlDataSource dataSource, MigrationCatalog? catalog = null, ILogger<PostgresMigrator>? logger = null)
{
    /// <summary>Advisory lock key owned by the migrator ("AGENTSMG" in ASCII).</summary>
    public const long AdvisoryLockKey = 0x4147454E54534D47;

    private readonly MigrationCatalog _catalog = catalog ?? MigrationCatalog.Default;
    private readonly ILogger _logger = logger ?? NullLogger<PostgresMigrator>.Instance;

    /// <summary>Brings the schema up to date; returns the versions this call applied.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS agents_schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken).ConfigureAwait(false);

            var applied = await ReadAppliedAsync(connection, cancellationToken).ConfigureAwait(false);
            var done = new List<int>();
            foreach (var migration in _catalog.Migrations)
            {
                if (applied.TryGetValue(migration.Version, out var recorded))
                {
                    if (recorded.Checksum == migration.Checksum) continue;
                    if (migration.FormerChecksums.Contains(recorded.Checksum))
                        await RecordAmendedAsync(connection, migration, recorded.Checksum, cancellationToken).ConfigureAwait(false);
                    else
                        throw new MigrationException(
                            $"Migration {migration.Version} '{migration.Name}' was changed after it was applied " +
                            $"(database checksum {recorded.Checksum[..12]}, file checksum {migration.Checksum[..12]}). " +
                            "Applied migrations are immutable: restore the file and add a new migration for the change.");
                    continue;
                }
                await ApplyAsync(connection, migration, cancellationToken).ConfigureAwait(false);
                done.Add(migration.Version);
            }
            foreach (var version in applied.Keys.Where(v => _catalog.Migrations.All(m => m.Version != v)))
                _logger.LogWarning("Database has migration {Version} that this build does not know; a newer build applied it", version);
            // A migration, here or in another process starting at the same time, may have created a type
            // (pgvector's, on a fresh database) that the data source did not know when it first
            // connected: load them again so it can read and write it (once per start, a few ms).
            await dataSource.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
            return done;
        }
        finally
        {
            // A broken connection releases the lock by itself; only unlock a healthy one.
            if (connection.State == System.Data.ConnectionState.Open)
                await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction))
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await using (var record = new NpgsqlCommand(
                "INSERT INTO agents_schema_migrations (version, name, checksum) VALUES (@v, @n, @c)", connection, transaction))
            {
                record.Parameters.AddWithValue("v", migration.Version);
                record.Parameters.AddWithValue("n", migration.Name);
                record.Parameters.AddWithValue("c", migration.Checksum);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            throw new MigrationException($"Migration {migration.Version} '{migration.Name}' failed and was rolled back: {e.MessageText}", e);
        }
        _logger.LogInformation("Applied migration {Version} {Name}", migration.Version, migration.Name);
    }

    // The database applied an earlier released text of the migration: it records the current one (a later
    // migration brings the schema up to date).
    private async Task RecordAmendedAsync(NpgsqlConnection connection, Migration migration, string former, CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand("UPDATE agents_schema_migrations SET checksum = @c WHERE version = @v AND checksum = @former", connection);
        update.Parameters.AddWithValue("c", migration.Checksum);
        update.Parameters.AddWithValue("v", migration.Version);
        update.Parameters.AddWithValue("former", former);
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Migration {Version} {Name} was applied in an earlier released text ({Former}); recorded as its current one",
            migration.Version, migration.Name, former[..12]);
    }

    private static async Task<Dictionary<int, (string Name, string Checksum)>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, (string, string)>();
        await using var command = new NpgsqlCommand("SELECT version, name, checksum FROM agents_schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            applied[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2));
        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
