using Agents.Infra.Migrations;
using Npgsql;

namespace Agents.Tests.Integration.Infrastructure;

/// <summary>
/// A fresh database per test class (use as <c>IClassFixture&lt;PostgresDatabase&gt;</c>): random name,
/// <c>vector</c> extension, every migration applied; dropped when the class is done.
/// </summary>
public class PostgresDatabase : IAsyncLifetime
{
    public string Name { get; } = $"agents_test_{Guid.NewGuid():N}"[..32];
    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    /// <summary>Whether to apply the migrations on creation (tests of the migrator turn this off).</summary>
    protected virtual bool ApplyMigrations => true;

    private bool _created;

    public async Task InitializeAsync()
    {
        await using (var server = await TestPostgres.OpenServerAsync())
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", server))
            await create.ExecuteNonQueryAsync();
        _created = true;

        ConnectionString = new NpgsqlConnectionStringBuilder(await TestPostgres.ServerConnectionStringAsync()) { Database = Name }.ConnectionString;
        DataSource = Agents.Infra.PostgresDataSource.Create(ConnectionString);
        await using (var ext = DataSource.CreateCommand("CREATE EXTENSION IF NOT EXISTS vector"))
            await ext.ExecuteNonQueryAsync();
        await DataSource.ReloadTypesAsync(); // the extension's types were not there when it first connected
        if (ApplyMigrations)
            await new PostgresMigrator(DataSource).MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        if (DataSource is not null) await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (!_created) return; // no server, or it refused the database: the failure is already reported
        await using var server = await TestPostgres.OpenServerAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>A fresh database with only the extension: for tests that drive the migrator themselves.</summary>
public sealed class EmptyPostgresDatabase : PostgresDatabase
{
    protected override bool ApplyMigrations => false;
}
