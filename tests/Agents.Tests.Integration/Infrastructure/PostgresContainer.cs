using Docker.DotNet.Models;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Images;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Agents.Tests.Integration.Infrastructure;

/// <summary>
/// The test run's one PostgreSQL 17 + pgvector container (Testcontainers), started on first use and
/// shared by every test class; each class makes its own database in it (<see cref="PostgresDatabase"/>).
/// The image is local (infra/images/postgres/build.sh) and never pulled. The container publishes its
/// port on 127.0.0.1 only and carries the labels <c>agents.test=1</c>, <c>agents.test.run</c> and
/// <c>agents.test.pid</c>: Ryuk cannot run here, so <see cref="PostgresTestFramework"/> removes it at the
/// end of the run and test.sh removes leftovers by label.
/// </summary>
public static class PostgresContainer
{
    public const string ImageVariable = "AGENTS_PG_IMAGE";
    public const string DefaultImage = "agents/postgres-pgvector:17";
    public const string RunIdVariable = "AGENTS_TEST_RUN_ID";
    public const string Label = "agents.test";

    private const string Password = "agents";

    // Started on the thread pool, so a synchronous wait on it cannot deadlock a test's context.
    private static readonly Lazy<Task<PostgreSqlContainer>> Instance = new(() => Task.Run(StartAsync));

    /// <summary>The connection string of the container's maintenance database, starting it on first use.</summary>
    public static async Task<string> ConnectionStringAsync(CancellationToken cancellationToken = default)
    {
        var container = await Instance.Value.WaitAsync(cancellationToken);
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort),
            Database = "postgres",
            Username = "postgres",
            Password = Password,
        }.ConnectionString;
    }

    /// <summary>Stops and removes the container, if this run started one.</summary>
    public static async Task DisposeAsync()
    {
        if (!Instance.IsValueCreated) return;
        PostgreSqlContainer container;
        try
        {
            container = await Instance.Value;
        }
        catch (InvalidOperationException)
        {
            return; // it never started, and StartAsync removed what it made
        }
        await container.DisposeAsync();
    }

    private static async Task<PostgreSqlContainer> StartAsync()
    {
        // Ryuk's image cannot be pulled; removal is by label instead. Tests talk to loopback only.
        TestcontainersSettings.ResourceReaperEnabled = false;
        TestcontainersSettings.DockerHostOverride = "localhost";

        var image = Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } configured ? configured : DefaultImage;
        var runId = Environment.GetEnvironmentVariable(RunIdVariable) is { Length: > 0 } id ? id : $"pid-{Environment.ProcessId}";
        PostgreSqlContainer? container = null;
        try
        {
            container = new PostgreSqlBuilder()
                .WithImage(image)
                .WithImagePullPolicy(PullPolicy.Never)
                .WithPassword(Password)
                .WithLabel(Label, "1")
                .WithLabel($"{Label}.run", runId)
                .WithLabel($"{Label}.pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                // The builder already turns off fsync, full_page_writes and synchronous_commit: throw-away data.
                .WithCommand("-c", "max_connections=300")
                .WithCommand("-c", "shared_buffers=256MB")
                .WithCommand("-c", "maintenance_work_mem=512MB")
                .WithCreateParameterModifier(LoopbackOnly)
                .Build();
            await container.StartAsync();
            return container;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (container is not null) await container.DisposeAsync();
            throw new InvalidOperationException(
                $"Could not start the integration tests' PostgreSQL container from image '{image}' ({e.Message}). " +
                "Run the tests with ./test.sh (it starts a Docker engine and builds the image), or run " +
                "infra/docker-engine.sh ensure and infra/images/postgres/build.sh first, or set " +
                $"{TestPostgres.ServerVariable} to an existing PostgreSQL 17 server with pgvector.", e);
        }
    }

    private static void LoopbackOnly(CreateContainerParameters parameters)
    {
        foreach (var binding in parameters.HostConfig.PortBindings.Values.SelectMany(bindings => bindings))
            binding.HostIP = "127.0.0.1";
        // Parallel index builds keep up to maintenance_work_mem in /dev/shm; Docker's default is 64 MB.
        parameters.HostConfig.ShmSize = 1L << 30;
    }
}
