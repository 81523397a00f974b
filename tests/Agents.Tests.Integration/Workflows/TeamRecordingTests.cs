using Agents.Abstractions.Teams;
using Agents.Tests.Integration.Grains;
using Agents.Tests.Integration.Infrastructure;
using Orleans.TestingHost;

namespace Agents.Tests.Integration.Workflows;

/// <summary>A team grain accepts a run's record before the run ends and applies it after; whoever reads
/// the team after a record was accepted sees it applied.</summary>
public sealed class TeamRecordingTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await AgentsTestCluster.StartAsync(2, new Dictionary<string, string?> { ["Agents:Postgres"] = db.ConnectionString });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static TeamRunRecord Record(string runId, IReadOnlyList<Guid>? used = null) => new(runId, "When is the Aurora launch and what is its budget?",
        [new TeamRunStep("researcher", "Answer: When is the Aurora launch?", "14 March [1]", "answered 1 of 1 question from memory with 1 citation", "ok")],
        true, used ?? [], DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_later_reader_waits_for_the_records_accepted_before_it_and_insights_gain_by_outcome()
    {
        var team = _cluster.Client.GetGrain<ITeamMemoryGrain>(new TeamKey($"t{Guid.NewGuid():N}"[..12], "marketing").ToString());
        await team.RecordRunAsync(Record("a"));
        var insight = Assert.Single(await team.InsightsAsync(10));   // no wait between: the read waits for the record

        await team.RecordRunAsync(Record("b", [insight.Id]));
        await team.RecordRunAsync(Record("c", [insight.Id]));
        var context = await team.RecallAsync("When is the Aurora launch, and its budget?");

        Assert.Equal(3, context.RelatedRuns.Count);
        var after = Assert.Single(await team.InsightsAsync(10));
        // Each later run agreed with the rule (+1) and used it with success (+1).
        Assert.Equal(insight.Score + 4, after.Score);
    }
}
