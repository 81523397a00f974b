using Agents.Abstractions.Memory;
using Agents.Tests.Integration.Grains;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Platform;

/// <summary>The Agents silo host (UseAgentsCluster + AddAgents) on a database nothing has migrated:
/// it applies every migration, Orleans' tables included, before its ADO.NET providers read them.</summary>
public sealed class AgentsHostOnPostgresTests(EmptyPostgresDatabase db) : IClassFixture<EmptyPostgresDatabase>
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_silo_on_an_empty_database_migrates_it_and_joins_through_our_tables()
    {
        await using var host = await AgentsHost.StartAsync(new Dictionary<string, string?> { ["Agents:Postgres"] = db.ConnectionString });

        var memory = host.Grains.GetGrain<IMemoryGrain>(ScopeRef.ForUser($"u{Guid.NewGuid():N}", "acme").ToGrainKey());
        await memory.AddAsync(new MemoryInput([new TurnInput("alice", "I adopted a grey cat called Miso.", "m1")], T0));
        await memory.WaitForIdleAsync();    // the scope's pipeline (resumed by an ADO.NET reminder after a crash) has run
        Assert.NotEmpty(await memory.GetAllAsync(10));

        await using var command = db.DataSource.CreateCommand("SELECT status FROM orleans_membership_silo WHERE cluster_id = $1");
        command.Parameters.AddWithValue(host.ClusterId);
        Assert.Equal(3, (int)(await command.ExecuteScalarAsync())!);     // Active
    }
}
