using Npgsql;

namespace Agents.Tests.Integration.Infrastructure;

/// <summary>
/// Finds the PostgreSQL server the integration tests run against: an existing server named by
/// <c>AGENTS_TEST_PG</c> (tests only) or <c>AGENTS_PG_CONNECTION</c>, else the run's container
/// (<see cref="PostgresContainer"/>). Tests create and drop their own databases there; they never skip.
/// </summary>
public static class TestPostgres
{
    public const string TestServerVariable = "AGENTS_TEST_PG";
    public const string ServerVariable = "AGENTS_PG_CONNECTION";

    /// <summary>The server's connection string (to its maintenance database).</summary>
    public static Task<string> ServerConnectionStringAsync(CancellationToken cancellationToken = default) =>
        ExistingServer() is { } existing ? Task.FromResult(existing) : PostgresContainer.ConnectionStringAsync(cancellationToken);

    /// <summary>The same, for places that cannot await (the container starts on the thread pool, so this cannot deadlock).</summary>
    public static string ServerConnectionString() => ServerConnectionStringAsync().GetAwaiter().GetResult();

    public static async Task<NpgsqlConnection> OpenServerAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(await ServerConnectionStringAsync(cancellationToken));
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            await connection.DisposeAsync();
            var source = ExistingServer() is null ? "the tests' PostgreSQL container" : $"the PostgreSQL server named by {TestServerVariable} or {ServerVariable}";
            throw new InvalidOperationException($"{source} does not answer ({e.Message}).", e);
        }
        return connection;
    }

    private static string? ExistingServer() =>
        new[] { TestServerVariable, ServerVariable }
            .Select(Environment.GetEnvironmentVariable)
            .FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));
}
