using Agents.Abstractions;
using Agents.Abstractions.Memory;
using Agents.Abstractions.Teams;
using Agents.Client;
using Agents.Tests.Integration.Infrastructure;
using Xunit.Abstractions;
using static Agents.Tests.Integration.Infrastructure.ClusterPolling;

namespace Agents.Tests.Integration.Cluster;

/// <summary>
/// Two silos as OS processes on PostgreSQL (clustering, grain state, reminders). The silo holding a team
/// grain is killed with SIGKILL right after the grain accepted a run's record: the survivor applies the
/// record, once. Orleans' in-process test cluster cannot show this: its grain state and reminder table
/// live in grains (MemoryStorageGrain, ReminderTableGrain) that die with whichever silo holds them, and
/// a killed in-process silo is noticed only after the default probe time-outs.
/// </summary>
public sealed class TeamRecordFailoverTests(PostgresDatabase db, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private static TeamRunRecord Record(string runId) => new(runId, "When is the Aurora launch and what is its budget?",
        [new TeamRunStep("researcher", "Answer: When is the Aurora launch?", "14 March [1]", "answered 1 of 1 question from memory with 1 citation", "ok")],
        true, [], DateTimeOffset.UtcNow);

    /// <param name="readAtOnce">False: nobody calls the team after the kill, so only its reminder can wake
    /// it on the survivor. True: a reader asks the team at once, and must see the record applied.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_record_accepted_just_before_its_silo_is_killed_is_applied_once_on_the_survivor(bool readAtOnce)
    {
        var cluster = $"tr-{Guid.NewGuid():N}"[..16];
        var silos = new List<SiloProcess>();
        foreach (var i in Enumerable.Range(1, 2)) silos.Add(await SiloProcess.StartAsync(db.ConnectionString, cluster, $"tr{i}"));
        try
        {
            await using var client = await AgentsClient.ConnectAsync(new AgentsClientOptions { ClusterId = cluster, Postgres = db.ConnectionString, ResponseTimeout = TimeSpan.FromSeconds(15) });
            var grains = client.Cluster;
            var key = new TeamKey($"t{Guid.NewGuid():N}"[..12], "marketing");
            var team = grains.GetGrain<ITeamMemoryGrain>(key.ToString());
            await team.WaitForRecordsAsync();   // activates it somewhere
            var host = (await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(team))?.ToString();
            var victim = silos.Single(s => s.Address == host);

            Assert.True(await team.RecordRunAsync(Record("r1")));
            victim.KillHard();
            output.WriteLine($"killed {victim.Name} ({host}) right after the record was accepted");

            var memory = grains.GetGrain<IMemoryGrain>(key.Scope.ToGrainKey());
            if (readAtOnce)
            {
                // The reader's call finds the team on the survivor, from its stored queue, and waits for the record.
                TeamContext context = null!;
                await Until(async () => { context = await team.RecallAsync("When is the Aurora launch, and its budget?"); return true; });
                Assert.Single(context.RelatedRuns);
            }
            else
            {
                // Read beside the team grain (its memory scope), so that only the reminder can wake the team.
                await Until(async () => (await memory.RunsAsync(10, 0)).Count > 0);
            }

            // Every call until the cluster has declared the victim dead may still be routed to it, and fails.
            IReadOnlyList<TeamRunDetail> runs = [];
            await Until(async () => { runs = await memory.RunsAsync(10, 0); return true; });
            Assert.Single(runs);
            IReadOnlyList<TeamTrajectory> teamRuns = [];
            await Until(async () => { teamRuns = await team.RunsAsync(10); return true; });
            Assert.Single(teamRuns);
            var queuedAgain = true;
            await Until(async () => { queuedAgain = await team.RecordRunAsync(Record("r1")); return true; });
            Assert.False(queuedAgain);   // known: not queued again
        }
        finally
        {
            await Task.WhenAll(silos.Select(s => s.DisposeAsync().AsTask()));
        }
    }
}
