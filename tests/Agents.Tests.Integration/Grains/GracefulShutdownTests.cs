using Agents.Abstractions.Memory;
using Agents.Tests.Integration.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Agents.Tests.Integration.Grains;

/// <summary>Stopping a silo is a normal event: it logs no errors, even with memory scopes active and
/// their pipelines busy, whether it is the only silo or one of two; the survivor serves the scopes.</summary>
public sealed class GracefulShutdownTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_single_silo_stops_with_busy_memory_scopes_and_logs_no_error()
    {
        var logs = new FakeLogCollector();
        var silo = await StartAsync($"c{Guid.NewGuid():N}", logs);
        try
        {
            await AddFactsAsync(Scopes(silo.Grains, $"t{Guid.NewGuid():N}"));
            logs.Clear();
        }
        finally
        {
            await silo.DisposeAsync();   // the host's graceful stop: Orleans deactivates every activation
        }

        AssertNoErrors(logs);
    }

    [Fact]
    public async Task One_of_two_silos_stops_with_busy_memory_scopes_and_the_other_serves_them()
    {
        var cluster = $"c{Guid.NewGuid():N}";
        var tenant = $"t{Guid.NewGuid():N}";
        var logs = new FakeLogCollector();
        var stopping = await StartAsync(cluster, logs);
        await using var surviving = await StartAsync(cluster, new FakeLogCollector());
        try
        {
            // Activated on the first silo alone, then the second joins: the scopes are the first's.
            await AddFactsAsync(Scopes(stopping.Grains, tenant));
            logs.Clear();
        }
        finally
        {
            await stopping.DisposeAsync();
        }
        AssertNoErrors(logs);

        // The survivor activates each scope anew from the store and finishes its pipeline work.
        foreach (var scope in Scopes(surviving.Grains, tenant))
        {
            await scope.WaitForIdleAsync();
            Assert.Equal(0, (await scope.PipelineStatusAsync()).Pending);
            Assert.NotEmpty(await scope.GetAllAsync(100));
        }
    }

    private Task<AgentsHost> StartAsync(string cluster, FakeLogCollector logs) => AgentsHost.StartAsync(
        new Dictionary<string, string?>
        {
            ["Agents:Postgres"] = db.ConnectionString,
            ["Agents:Silo:ClusterId"] = cluster,
            ["Agents:Silo:ServiceId"] = cluster,
            ["Agents:Memory:Embedder"] = "hashing",
        },
        logging => logging.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Warning));

    private static IMemoryGrain[] Scopes(IGrainFactory grains, string tenant) =>
        Enumerable.Range(0, 8).Select(i => grains.GetGrain<IMemoryGrain>(ScopeRef.ForUser($"user-{i}", tenant).ToGrainKey())).ToArray();

    /// <summary>Acknowledged adds, whose pipeline work is queued or running when the caller goes on.</summary>
    private static Task AddFactsAsync(IMemoryGrain[] scopes) => Task.WhenAll(scopes.Select(async (scope, i) =>
    {
        for (var turn = 0; turn < 3; turn++)
            await scope.AddAsync(new MemoryInput([new TurnInput("user", $"Fact {turn} about user {i}: likes tea number {turn}.", $"m{turn}")], T0.AddMinutes(turn)));
    }));

    private static void AssertNoErrors(FakeLogCollector logs)
    {
        var errors = logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error).Select(r => $"{r.Category}: {r.Message} {r.Exception?.GetType().Name}").ToArray();
        Assert.True(errors.Length == 0, "Errors logged during a graceful stop:\n" + string.Join("\n", errors));
    }
}
