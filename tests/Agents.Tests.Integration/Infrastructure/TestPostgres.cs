using Npgsql;

namespace Agents.Tests.Integration.Infrastructure;

/// <summary>Finds the PostgreSQL server the integration tests run against.</summary>
public static class TestPostgres
{
    public const string EnvironmentVariable = "AGENTS_TEST_PG";

    /// <summary>The server's connection string (to its maintenance database), or a clear failure
    /// that names the command provisioning one. Integration tests never skip.</summary>
    public static string ServerConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException(
                $"No PostgreSQL server for the integration tests: {EnvironmentVariable} is not set. " +
                "Run the tests with ./test.sh (it provisions PostgreSQL 17 + pgvector through infra/pg.sh), " +
                $"or export {EnvironmentVariable}=\"$(infra/pg.sh start)\" first.");
        return value;
    }

    public static async Task<NpgsqlConnection> OpenServerAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(ServerConnectionString());
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException(
                $"PostgreSQL named by {EnvironmentVariable} does not answer ({e.Message}). Start it with infra/pg.sh start, or run ./test.sh.", e);
        }
        return connection;
    }
}
