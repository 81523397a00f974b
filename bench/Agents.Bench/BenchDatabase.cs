using System.Diagnostics;
using Agents.Infra.Migrations;
using Npgsql;

namespace Agents.Bench;

/// <summary>
/// A fresh PostgreSQL database for one benchmark run, migrated like the product's, dropped on dispose.
/// The server: AGENTS_PG_CONNECTION, else what <c>infra/pg.sh start</c> prints. With
/// AGENTS_BENCH_KEEP_DATABASE=1 the database is kept (its name printed) to look at plans afterwards.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private BenchDatabase(string server, string name, NpgsqlDataSource dataSource, string connectionString)
    {
        _server = server;
        _name = name;
        DataSource = dataSource;
        ConnectionString = connectionString;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The database's connection string, for silos and other processes.</summary>
    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(int maxPoolSize = 8)
    {
        var server = ServerConnectionString();
        var name = $"agents_bench_{Guid.NewGuid():N}"[..30];
        await ExecuteAsync(server, $"CREATE DATABASE \"{name}\"");
        // A batch of a thousand rows with HNSW upkeep can take longer than Npgsql's 30 s default on a loaded machine.
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = maxPoolSize, CommandTimeout = 600 }.ConnectionString;
        var dataSource = Agents.Infra.PostgresDataSource.Create(connectionString);
        var database = new BenchDatabase(server, name, dataSource, connectionString);
        try
        {
            await using (var ext = dataSource.CreateCommand("CREATE EXTENSION IF NOT EXISTS vector")) await ext.ExecuteNonQueryAsync();
            await dataSource.ReloadTypesAsync(); // the extension's types were not there when it first connected
            await new PostgresMigrator(dataSource).MigrateAsync();
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (Environment.GetEnvironmentVariable("AGENTS_BENCH_KEEP_DATABASE") == "1")
        {
            Console.WriteLine($"kept database {_name} (AGENTS_BENCH_KEEP_DATABASE=1)");
            return;
        }
        await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");
    }

    private static string ServerConnectionString()
    {
        var configured = Environment.GetEnvironmentVariable("AGENTS_PG_CONNECTION");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "infra", "pg.sh"))) directory = directory.Parent;
        if (directory is null) throw new InvalidOperationException("No PostgreSQL: set AGENTS_PG_CONNECTION or run from the repository (infra/pg.sh not found).");
        var start = new ProcessStartInfo("bash", [Path.Combine(directory.FullName, "infra", "pg.sh"), "start"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"infra/pg.sh start failed: {process.StandardError.ReadToEnd()}");
        return output.Trim().Split('\n')[^1];
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
