using System.CommandLine;
using Agents.Abstractions.Inference;
using Agents.Abstractions.Memory;
using Agents.Client;

namespace Agents.Cli;

/// <summary>
/// The <c>agents</c> command line: runs workflows (<c>run</c>, <c>status</c>, <c>events</c>, <c>cancel</c>)
/// and reads and writes memory through a cluster's gateway. Memory commands address a scope
/// (<c>--user</c>, <c>--agent</c>, <c>--team</c>, <c>--run</c>, within <c>--tenant</c>).
/// </summary>
public static class AgentsCli
{
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var gateway = new Option<string>("--gateway") { Description = "host:port of a silo gateway", DefaultValueFactory = _ => "127.0.0.1:30000" };
        var cluster = new Option<string>("--cluster") { Description = "cluster id", DefaultValueFactory = _ => "agents" };
        var postgres = new Option<string?>("--postgres") { Description = "the cluster's PostgreSQL connection string: find gateways in its membership table instead of --gateway" };
        var tenant = new Option<string>("--tenant") { Description = "tenant", DefaultValueFactory = _ => "default" };
        var user = new Option<string?>("--user") { Description = "user id of the scope" };
        var agent = new Option<string?>("--agent") { Description = "agent id of the scope" };
        var team = new Option<string?>("--team") { Description = "team id of the scope" };
        var run = new Option<string?>("--run") { Description = "run id of the scope" };
        var speaker = new Option<string?>("--speaker") { Description = "who said the text" };
        var top = new Option<int>("--top") { Description = "how many results", DefaultValueFactory = _ => 5 };
        var text = new Argument<string>("text") { Description = "the text to store or the query" };

        var root = new RootCommand("agents: multi-agent memory on an Agents cluster");
        foreach (var option in new Option[] { gateway, cluster, postgres, tenant, user, agent, team, run }) { option.Recursive = true; root.Options.Add(option); }

        AgentsClientOptions Connection(ParseResult r) => new()
        {
            ClusterId = r.GetValue(cluster)!,
            Gateways = [r.GetValue(gateway)!],
            Postgres = r.GetValue(postgres),
        };

        ScopeRef Scope(ParseResult r) => new(r.GetValue(tenant)!, r.GetValue(user), r.GetValue(agent), r.GetValue(run), r.GetValue(team));

        var add = new Command("add", "store a message in the scope's memory (returns once it is durable)") { text, speaker };
        add.SetAction((r, ct) => WithClient(Connection(r), error, async grains =>
        {
            var receipt = await grains.GetGrain<IMemoryGrain>(Scope(r).ToGrainKey())
                .AddAsync(new MemoryInput([new TurnInput(r.GetValue(speaker), r.GetValue(text)!)], DateTimeOffset.UtcNow), ct);
            await output.WriteLineAsync($"stored {receipt.EpisodeId}");
        }, ct));

        var search = new Command("search", "hybrid search of the scope's memory") { text, top };
        search.SetAction((r, ct) => WithClient(Connection(r), error, async grains =>
        {
            var hits = await grains.GetGrain<IMemoryGrain>(Scope(r).ToGrainKey()).SearchAsync(new MemoryQuery(r.GetValue(text)!, r.GetValue(top)), ct);
            foreach (var hit in hits) await output.WriteLineAsync($"{hit.Score:0.000}  {hit.Kind,-6} {hit.Content}");
        }, ct));

        var read = new Command("attend", "sparse-attention read of the scope's memory bank through the inference pool") { text, top };
        read.SetAction((r, ct) => WithClient(Connection(r), error, async grains =>
        {
            var readout = await grains.GetGrain<IInferenceGrain>(IInferenceGrain.Pool).ReadAsync(new AttentionQuery(Scope(r), Text: r.GetValue(text), K: r.GetValue(top)), ct);
            for (var i = 0; i < readout.Ids.Count; i++) await output.WriteLineAsync($"{readout.Weights[i]:0.000}  {readout.Ids[i]}");
        }, ct));

        var erase = new Command("erase", "delete everything in the scope: memories, embeddings, edges, history, pending work");
        erase.SetAction((r, ct) => WithClient(Connection(r), error, async grains =>
        {
            var erased = await grains.GetGrain<IMemoryGrain>(Scope(r).ToGrainKey()).EraseAsync(ct);
            await output.WriteLineAsync($"erased {erased.Records} records, {erased.Edges} edges, {erased.History} history rows, {erased.Jobs} jobs");
        }, ct));

        var wait = new Command("wait", "wait until the scope's background work (enrichment, links, facts, graph) is done");
        wait.SetAction((r, ct) => WithClient(Connection(r), error, async grains =>
        {
            var memory = grains.GetGrain<IMemoryGrain>(Scope(r).ToGrainKey());
            await memory.WaitForIdleAsync(ct);
            var status = await memory.PipelineStatusAsync(ct);
            await output.WriteLineAsync(status.LastError is null ? "idle" : $"idle (last error: {status.LastError})");
        }, ct));

        foreach (var command in WorkflowCommands.Create(new ClusterOptions(gateway, cluster, postgres), tenant, output, error)) root.Subcommands.Add(command);
        root.Subcommands.Add(add);
        root.Subcommands.Add(wait);
        root.Subcommands.Add(search);
        root.Subcommands.Add(read);
        root.Subcommands.Add(erase);
        ApiCommands.Add(root, tenant, user, agent, run, team, output, error);
        var parsed = root.Parse(args);
        return parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    private static async Task<int> WithClient(AgentsClientOptions options, TextWriter error, Func<IGrainFactory, Task> action, CancellationToken cancellationToken)
    {
        try
        {
            await using var client = await AgentsClient.ConnectAsync(options, cancellationToken: cancellationToken);
            await action(client.Cluster);
            return 0;
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"agents: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await error.WriteLineAsync($"agents: {e.Message}");
            return 1;
        }
    }
}
