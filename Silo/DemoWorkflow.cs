using Agents.Abstractions.Inference;
using Agents.Abstractions.Memory;

namespace Agents.Silo;

/// <summary>
/// The main job's workflow: a team of three agents plans a product launch over a few steps. Every
/// message goes to the speaker's memory and the team's; afterwards each agent recalls what it needs
/// and the team's memory bank is read through the inference pool's sparse attention.
/// </summary>
internal static class DemoWorkflow
{
    private static readonly (string Agent, string Text)[] Steps =
    [
        ("planner", "The launch of the Aurora note-taking app is set for 14 March; the budget is 40,000 euros."),
        ("researcher", "Competitor Notion raised prices by 20 percent last month, so price-sensitive users are looking around."),
        ("researcher", "Our beta testers liked offline sync most and asked for a Linux client."),
        ("writer", "Draft headline: Aurora, the notes app that works offline, now on Linux."),
        ("planner", "Correction: the launch moves to 21 March because the Linux client needs another week."),
        ("writer", "The press kit goes to twelve technology journalists one week before launch."),
    ];

    private static readonly (string Agent, string Question)[] Questions =
    [
        ("writer", "When is the launch?"),
        ("planner", "What did beta testers ask for?"),
        ("researcher", "What is the launch budget?"),
    ];

    public static async Task RunAsync(IGrainFactory grains, TextWriter output, CancellationToken cancellationToken)
    {
        const string tenant = "demo", team = "launch";
        var start = new DateTimeOffset(2026, 2, 2, 9, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < Steps.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (agent, text) = Steps[i];
            var receipt = await grains.GetGrain<IAgentGrain>(new AgentKey(tenant, team, agent).ToString())
                .RememberAsync(new TurnInput(agent, text, $"step-{i + 1}"), start.AddHours(i), shareWithTeam: true, cancellationToken);
            output.WriteLine($"step {i + 1}  {agent,-10} {text}  (stored as {receipt.EpisodeId:N})");
        }
        foreach (var agent in Steps.Select(s => s.Agent).Distinct())
            await grains.GetGrain<IAgentGrain>(new AgentKey(tenant, team, agent).ToString()).WaitForIdleAsync(cancellationToken);

        output.WriteLine();
        foreach (var (agent, question) in Questions)
        {
            var hits = await grains.GetGrain<IAgentGrain>(new AgentKey(tenant, team, agent).ToString()).RecallAsync(question, 3, cancellationToken);
            output.WriteLine($"{agent} asks: {question}");
            foreach (var hit in hits) output.WriteLine($"    [{string.Join(',', hit.Sources)}] {hit.Content}");
        }

        var teamScope = ScopeRef.ForTeam(team, tenant);
        var read = await grains.GetGrain<IInferenceGrain>(IInferenceGrain.Pool).ReadAsync(new AttentionQuery(teamScope, Text: "launch date moved", K: 3), cancellationToken);
        var notes = await grains.GetGrain<IMemoryGrain>(teamScope.ToGrainKey()).GetAllAsync(100, cancellationToken);
        var byId = notes.ToDictionary(n => n.Id);
        output.WriteLine();
        output.WriteLine("sparse attention over the team's memory bank for \"launch date moved\":");
        for (var i = 0; i < read.Ids.Count; i++)
            output.WriteLine($"    weight {read.Weights[i]:0.000}  {(byId.TryGetValue(read.Ids[i], out var n) ? n.Content : read.Ids[i].ToString())}");
        var stats = await grains.GetGrain<IInferenceGrain>(IInferenceGrain.Pool).StatsAsync(cancellationToken);
        output.WriteLine($"inference pool on {stats.Silo} ({stats.Backend}): " +
            string.Join(", ", stats.Queues.Select(q => $"{q.Queue} {q.Requests} requests in {q.Batches} batches")));
        output.WriteLine("main job done");
    }
}
