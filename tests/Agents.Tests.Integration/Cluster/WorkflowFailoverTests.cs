using Agents.Abstractions;
using Agents.Abstractions.Memory;
using Agents.Abstractions.Workflows;
using Agents.Client;
using Agents.Tests.Integration.Infrastructure;
using Agents.Tests.Integration.Llm;
using Xunit.Abstractions;
using static Agents.Tests.Integration.Infrastructure.ClusterPolling;

namespace Agents.Tests.Integration.Cluster;

/// <summary>
/// Two silos as OS processes on PostgreSQL (clustering, grain state, reminders); agents whose model
/// (the scripted server) takes a while per step. The silo running the workflow is killed with SIGKILL
/// mid-run: the run finishes on the survivor from its last completed step, and no step's memory write
/// happens twice.
/// </summary>
public sealed class WorkflowFailoverTests(PostgresDatabase db, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task A_run_whose_silo_is_killed_finishes_on_the_survivor_and_writes_each_steps_memory_once()
    {
        await using var server = await ScriptedOpenAiServer.StartAsync();
        server.AnswerOtherwiseWith(_ => ScriptedResponse.Chat("Noted: the Aurora launch is on 14 March [1].") with { Delay = TimeSpan.FromMilliseconds(1200) });
        var cluster = $"wf-{Guid.NewGuid():N}"[..16];
        var silos = new List<SiloProcess>();
        foreach (var i in Enumerable.Range(1, 2)) silos.Add(await SiloProcess.StartAsync(db.ConnectionString, cluster, $"wf{i}", server.BaseUrl.ToString()));
        try
        {
            await using var client = await AgentsClient.ConnectAsync(new AgentsClientOptions { ClusterId = cluster, Postgres = db.ConnectionString, ResponseTimeout = TimeSpan.FromSeconds(15) });
            var grains = client.Cluster;
            var agents = Enumerable.Range(1, 4).Select(i => new WorkflowAgent($"a{i}", "notes what matters")).ToArray();
            var definition = new WorkflowDefinition("failover", "crew", "When is the Aurora launch?", agents,
                Limits: new WorkflowLimits(12, 300), Knowledge: ["The Aurora launch is set for 14 March in Lisbon."]);
            var runId = WorkflowRunKey.NewRunId();
            var run = grains.GetGrain<IWorkflowGrain>(new WorkflowRunKey("ops", runId).ToString());
            await run.StartAsync(definition);

            // Let two steps finish, then kill the silo that runs the workflow.
            await Until(async () => (await run.EventsAsync(0, 1000, TimeSpan.FromSeconds(1))).Count(e => e.Type == WorkflowEventType.StepFinished) >= 2);
            var host = (await run.StatusAsync()).Silo;
            var victim = silos.Single(s => s.Address == host);
            victim.KillHard();
            output.WriteLine($"killed {victim.Name} ({host}) after step 2");

            WorkflowRunStatus status = null!;
            await Until(async () => WorkflowRunState.IsFinished((status = await run.StatusAsync()).State));
            var events = await run.EventsAsync(0, 1000, TimeSpan.Zero);
            output.WriteLine(string.Join("\n", events.Select(e => $"{e.Id} {e.Type} step={e.Step} {e.Message}")));

            Assert.True(status.State == WorkflowRunState.Completed, status.Error);
            Assert.NotEqual(host, status.Silo);
            Assert.Equal(4, status.Steps);
            Assert.Equal(4, events.Count(e => e.Type == WorkflowEventType.StepFinished));
            foreach (var (agent, step) in agents.Select((a, i) => (a.Id, i + 1)))
            {
                var memory = grains.GetGrain<IMemoryGrain>(new AgentKey("ops", "crew", agent).AgentScope.ToGrainKey());
                await Until(async () => { await memory.WaitForIdleAsync(); return true; });
                var notes = (await memory.GetAllAsync(100)).Where(h => h.Kind == "note").ToArray();
                Assert.Single(notes, n => n.Sources.Contains($"{runId}#{step}"));
            }
        }
        finally
        {
            await Task.WhenAll(silos.Select(s => s.DisposeAsync().AsTask()));
        }
    }
}
