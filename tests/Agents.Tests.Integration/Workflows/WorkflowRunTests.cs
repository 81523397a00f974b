using Agents.Abstractions;
using Agents.Abstractions.Memory;
using Agents.Abstractions.Teams;
using Agents.Abstractions.Workflows;
using Agents.Client.Workflows;
using Agents.Tests.Integration.Grains;
using Agents.Tests.Integration.Infrastructure;
using Orleans.TestingHost;

namespace Agents.Tests.Integration.Workflows;

/// <summary>Workflow runs end to end on two silos over PostgreSQL, offline models.</summary>
public sealed class WorkflowRunTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await AgentsTestCluster.StartAsync(2, new Dictionary<string, string?> { ["Agents:Postgres"] = db.ConnectionString });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static string Tenant() => $"t{Guid.NewGuid():N}"[..12];

    [Theory]
    [InlineData("launch-brief.yaml", WorkflowTopology.Sequential, new[] { "14 March", "40,000 euros" })]
    [InlineData("incident-review.yaml", WorkflowTopology.RoundRobin, new[] { "expired TLS certificate", "renewed the payments gateway certificate" })]
    [InlineData("offsite-plan.yaml", WorkflowTopology.ManagerWorkers, new[] { "Hotel Alfama Terrace", "9 October", "Priya" })]
    public async Task Each_topology_completes_with_a_cited_answer(string example, string topology, string[] facts)
    {
        var definition = Examples.Read(example);
        Assert.Equal(topology, definition.Topology);

        var (status, events) = await WorkflowRunner.RunAsync(_cluster.Client, Tenant(), definition);

        Assert.True(status.State == WorkflowRunState.Completed, status.Error);
        Assert.All(facts, fact => Assert.Contains(fact, status.Answer));
        Assert.All(facts, fact => Assert.Contains(status.Citations, c => c.Text.Contains(fact)));
        Assert.All(status.Citations, c => Assert.Contains(c.Text, definition.Knowledge!));    // every citation is a memory given
        Assert.Contains(events, e => e.Type == WorkflowEventType.StepFinished);
    }

    /// <summary>A definition as a README reader writes it: every memory names the project, and the task
    /// asks in other words than the knowledge uses. The default offline embedder (the sentence model)
    /// must carry the answer; the first citation is the memory that answers.</summary>
    [Theory]
    [InlineData("When does Aurora go live?", "14 March")]
    [InlineData("How much money has been set aside for Aurora?", "40,000 euros")]
    [InlineData("How many people build Aurora?", "six engineers")]
    [InlineData("Who is preparing the media materials for Aurora?", "Maya")]
    [InlineData("What trouble did the first users of Aurora run into?", "slow logins")]
    public async Task A_paraphrased_task_gets_the_right_memory_cited_offline(string task, string fact)
    {
        var read = WorkflowDefinitionReader.Read($$"""
            name: aurora-questions
            team: product
            task: "{{task}}"
            knowledge:
              - "The Aurora launch is set for 14 March."
              - "Aurora's budget is 40,000 euros, approved by finance."
              - "The Aurora team has six engineers and one designer."
              - "Aurora's press kit is being written by Maya from communications."
              - "The Aurora beta testers reported slow logins on older phones."
            agents:
              - id: researcher
                role: finds the facts the task needs
              - id: writer
                role: writes the final answer
            topology: sequential
            """);
        Assert.True(read.Definition is not null, string.Join("; ", read.Problems));

        var (status, _) = await WorkflowRunner.RunAsync(_cluster.Client, Tenant(), read.Definition!);

        Assert.True(status.State == WorkflowRunState.Completed, status.Error);
        Assert.True(status.Answer!.Contains(fact, StringComparison.Ordinal), status.Answer);
        Assert.True(status.Citations[0].Text.Contains(fact, StringComparison.Ordinal), status.Answer);
    }

    [Fact]
    public async Task Events_arrive_in_order_and_replay_from_an_event_id()
    {
        var tenant = Tenant();
        var runId = WorkflowRunKey.NewRunId();
        var (status, events) = await WorkflowRunner.RunAsync(_cluster.Client, tenant, Examples.Read("launch-brief.yaml"), runId);

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Id));
        Assert.Equal(WorkflowEventType.RunStarted, events[0].Type);
        Assert.Equal(WorkflowEventType.RunFinished, events[^1].Type);
        Assert.Equal(status.LastEventId, events[^1].Id);
        var kinds = events.Select(e => e.Type).ToList();
        Assert.True(kinds.IndexOf(WorkflowEventType.StepStarted) < kinds.IndexOf(WorkflowEventType.StepFinished));
        Assert.Contains(events, e => e.Type == WorkflowEventType.MemoryRead && e.MemoryIds is { Count: > 0 } && e.Step == 1);
        Assert.Contains(events, e => e.Type == WorkflowEventType.MemoryWritten && e.MemoryIds is { Count: > 0 } && e.Step == 2);

        // A client re-attaching after event 4 gets exactly the rest, from any silo, after the run ended.
        var grain = _cluster.Client.GetGrain<IWorkflowGrain>(new WorkflowRunKey(tenant, runId).ToString());
        var replay = await grain.EventsAsync(4, 1000, TimeSpan.Zero);
        Assert.Equal(events.Skip(4).Select(e => (e.Id, e.Type, e.Message)), replay.Select(e => (e.Id, e.Type, e.Message)));
        Assert.Empty(await grain.EventsAsync(events[^1].Id, 10, TimeSpan.FromMilliseconds(50)));
        // Another tenant's key for the same run id names no run.
        await Assert.ThrowsAsync<NotFoundException>(() => _cluster.Client.GetGrain<IWorkflowGrain>(new WorkflowRunKey("other", runId).ToString()).StatusAsync());
    }

    [Fact]
    public async Task Team_memory_grows_and_a_later_similar_run_gets_the_earlier_runs_insight_and_trajectory()
    {
        var tenant = Tenant();
        var definition = Examples.Read("launch-brief.yaml");
        var team = _cluster.Client.GetGrain<ITeamMemoryGrain>(new TeamKey(tenant, definition.Team).ToString());

        var (first, _) = await WorkflowRunner.RunAsync(_cluster.Client, tenant, definition);
        Assert.Equal(WorkflowRunState.Completed, first.State);
        Assert.Empty(first.InsightsUsed);
        var runs = await team.RunsAsync(10);
        var insights = await team.InsightsAsync(10);
        Assert.Single(runs);
        Assert.True(runs[0].Succeeded);
        Assert.NotEmpty(insights);

        var similar = definition with { Task = "When is the Aurora launch, and what is its budget?" };
        var (second, events) = await WorkflowRunner.RunAsync(_cluster.Client, tenant, similar);

        Assert.Equal(WorkflowRunState.Completed, second.State);
        Assert.Contains(second.InsightsUsed, id => insights.Any(i => i.Id == id));
        var recalled = events.First(e => e.Type == WorkflowEventType.MemoryRead && e.Step is null);
        Assert.Contains("1 similar runs", recalled.Message);
        Assert.Contains(runs[0].Id, (await team.RecallAsync(similar.Task)).Examples.Select(x => x.Id));
        Assert.Equal(2, (await team.RunsAsync(10)).Count);
        // The insight the second run used gained from its success.
        var after = await team.InsightsAsync(10);
        Assert.Contains(after, i => second.InsightsUsed.Contains(i.Id) && i.Score > insights.Single(x => x.Id == i.Id).Score);
    }

    [Fact]
    public async Task An_agents_memory_persists_across_runs_and_a_step_is_remembered_once()
    {
        var tenant = Tenant();
        var definition = Examples.Read("launch-brief.yaml");
        var researcher = _cluster.Client.GetGrain<IMemoryGrain>(new AgentKey(tenant, definition.Team, "researcher").AgentScope.ToGrainKey());

        var firstRun = WorkflowRunKey.NewRunId();
        await WorkflowRunner.RunAsync(_cluster.Client, tenant, definition, firstRun);
        await researcher.WaitForIdleAsync();
        var secondRun = WorkflowRunKey.NewRunId();
        await WorkflowRunner.RunAsync(_cluster.Client, tenant, definition, secondRun);
        await researcher.WaitForIdleAsync();

        var notes = (await researcher.GetAllAsync(100)).Where(h => h.Kind == "note").ToArray();
        Assert.Single(notes, n => n.Sources.Contains($"{firstRun}#1"));
        Assert.Single(notes, n => n.Sources.Contains($"{secondRun}#1"));
        // Starting a run again returns it as it is: nothing runs twice.
        var again = await _cluster.Client.GetGrain<IWorkflowGrain>(new WorkflowRunKey(tenant, firstRun).ToString()).StartAsync(definition);
        Assert.Equal(WorkflowRunState.Completed, again.State);
        await researcher.WaitForIdleAsync();
        Assert.Single((await researcher.GetAllAsync(100)).Where(h => h.Kind == "note"), n => n.Sources.Contains($"{firstRun}#1"));
    }

    [Fact]
    public async Task An_invalid_definition_is_refused_with_all_its_problems_and_nothing_runs()
    {
        var read = WorkflowDefinitionReader.Read("""
            name: broken flow
            team: t1
            agents:
              - id: a
                role: answers
              - id: a
                role: answers too
            topology: star
            manager: boss
            limits: { steps: 0, seconds: many }
            on_error: explode
            topolgy: sequential
            """);
        Assert.Null(read.Definition);
        foreach (var expected in new[] { "name:", "task: is missing", "used by another agent", "topology: 'star'", "manager:", "limits.steps: 0", "limits.seconds: 'many'", "on_error: 'explode'", "did you mean 'topology'" })
            Assert.Contains(read.Problems, p => p.Contains(expected, StringComparison.Ordinal));

        var definition = new WorkflowDefinition("ok", "t1", "", [new WorkflowAgent("a", "answers")], "star", Limits: new WorkflowLimits(0, 10));
        var grain = _cluster.Client.GetGrain<IWorkflowGrain>(new WorkflowRunKey(Tenant(), "r1").ToString());
        var error = await Assert.ThrowsAsync<InvalidWorkflowException>(() => grain.StartAsync(definition));
        Assert.Equal(3, error.Problems.Count);   // task, topology, steps
        await Assert.ThrowsAsync<NotFoundException>(() => grain.StatusAsync());
    }

    [Fact]
    public async Task A_cancelled_run_stops_and_says_so()
    {
        var definition = Examples.Read("incident-review.yaml");
        var grain = _cluster.Client.GetGrain<IWorkflowGrain>(new WorkflowRunKey(Tenant(), WorkflowRunKey.NewRunId()).ToString());
        await grain.StartAsync(definition);
        await grain.CancelAsync();

        var (status, events) = await WorkflowRunner.FollowAsync(grain);

        Assert.Equal(WorkflowRunState.Cancelled, status.State);
        Assert.Equal(WorkflowEventType.RunCancelled, events[^1].Type);
    }
}
