using System.CommandLine;
using Agents.Abstractions;
using Agents.Abstractions.Workflows;
using Agents.Client;
using Agents.Client.Api;
using Agents.Client.Workflows;

namespace Agents.Cli;

/// <summary><c>agents run FILE</c>, <c>status RUN</c>, <c>events RUN</c> and <c>cancel RUN</c>.</summary>
internal static class WorkflowCommands
{
    public static IEnumerable<Command> Create(ClusterOptions cluster, Option<string> tenant, TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "a workflow definition (YAML or JSON)" };
        var runId = new Argument<string>("run") { Description = "the run's id" };
        var json = new Option<bool>("--json") { Description = "print one JSON object with the result instead of progress" };
        var id = new Option<string?>("--id") { Description = "the run's id (default: a new one); starting an existing run's id again re-attaches to it" };
        var after = new Option<long>("--after") { Description = "replay the events after this event id", DefaultValueFactory = _ => 0 };
        var url = new Option<string?>("--url") { Description = "submit through a silo's HTTP API at this URL (env AGENTS_URL) instead of as a cluster client; needs --key", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AGENTS_URL") };
        var key = new Option<string?>("--key") { Description = "a tenant's API key for --url (env AGENTS_API_KEY)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AGENTS_API_KEY") };

        var run = new Command("run", "submit a workflow and follow it to its answer (with no cluster configured, in a silo hosted here)") { file, json, id, url, key };
        run.SetAction(async (r, ct) =>
        {
            var read = await WorkflowDefinitionReader.ReadFileAsync(r.GetValue(file)!, ct);
            if (read.Definition is null) return await ProblemsAsync(error, r.GetValue(file)!, read.Problems);
            if (r.GetValue(url) is { } api)
            {
                return await WithHttpAsync(api, r.GetValue(key), error, async client =>
                {
                    var started = await client.StartRunAsync(await File.ReadAllTextAsync(r.GetValue(file)!, ct), r.GetValue(id), ct);
                    var printer = new RunPrinter(output, r.GetValue(json));
                    await foreach (var e in client.StreamEventsAsync(started.RunId, 0, ct)) printer.Event(FromView(e));
                    var final = FromView(await client.GetRunAsync(started.RunId, ct), r.GetValue(tenant)!);
                    printer.Result(final);
                    return final.State == WorkflowRunState.Completed ? 0 : 1;
                });
            }
            try
            {
                await using var connection = await cluster.OpenAsync(r, embeddedIfNone: true, ct);
                var key = new WorkflowRunKey(r.GetValue(tenant)!, r.GetValue(id) ?? WorkflowRunKey.NewRunId());
                var grain = connection.Grains.GetGrain<IWorkflowGrain>(key.ToString());
                await grain.StartAsync(read.Definition, ct);
                var printer = new RunPrinter(output, r.GetValue(json));
                var status = await FollowAsync(grain, 0, printer, ct);
                printer.Result(status);
                return status.State == WorkflowRunState.Completed ? 0 : 1;
            }
            catch (InvalidWorkflowException e)
            {
                return await ProblemsAsync(error, r.GetValue(file)!, e.Problems);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await error.WriteLineAsync($"agents: {e.Message}");
                return 1;
            }
        });

        var status = new Command("status", "a run's state, answer and citations") { runId, json, url, key };
        status.SetAction((r, ct) => r.GetValue(url) is { } api
            ? WithHttpAsync(api, r.GetValue(key), error, async client =>
            {
                new RunPrinter(output, r.GetValue(json)).Result(FromView(await client.GetRunAsync(r.GetValue(runId)!, ct), r.GetValue(tenant)!));
                return 0;
            })
            : WithRunAsync(cluster, r, tenant, runId, error, async grain =>
        {
            var current = await grain.StatusAsync(ct);
            new RunPrinter(output, r.GetValue(json)).Result(current);
            return 0;
        }, ct));

        var events = new Command("events", "re-attach to a run: replay its events and follow it to the end") { runId, after, json, url, key };
        events.SetAction((r, ct) => r.GetValue(url) is { } api
            ? WithHttpAsync(api, r.GetValue(key), error, async client =>
            {
                var printer = new RunPrinter(output, r.GetValue(json));
                await foreach (var e in client.StreamEventsAsync(r.GetValue(runId)!, r.GetValue(after), ct)) printer.Event(FromView(e));
                var final = FromView(await client.GetRunAsync(r.GetValue(runId)!, ct), r.GetValue(tenant)!);
                printer.Result(final);
                return final.State == WorkflowRunState.Completed ? 0 : 1;
            })
            : WithRunAsync(cluster, r, tenant, runId, error, async grain =>
        {
            var printer = new RunPrinter(output, r.GetValue(json));
            var final = await FollowAsync(grain, r.GetValue(after), printer, ct);
            printer.Result(final);
            return final.State == WorkflowRunState.Completed ? 0 : 1;
        }, ct));

        var cancel = new Command("cancel", "stop a run after its step in progress") { runId, url, key };
        cancel.SetAction((r, ct) => r.GetValue(url) is { } api
            ? WithHttpAsync(api, r.GetValue(key), error, async client =>
            {
                var current = await client.CancelRunAsync(r.GetValue(runId)!, ct);
                await output.WriteLineAsync($"run {current.RunId}: {(WorkflowRunState.IsFinished(current.Status) ? current.Status : "cancelling")}");
                return 0;
            })
            : WithRunAsync(cluster, r, tenant, runId, error, async grain =>
        {
            var current = await grain.CancelAsync(ct);
            await output.WriteLineAsync($"run {current.RunId}: {(WorkflowRunState.IsFinished(current.State) ? current.State : "cancelling")}");
            return 0;
        }, ct));

        return [run, status, events, cancel];
    }

    /// <summary>Prints events as they come until the run ends; returns its final status.</summary>
    private static async Task<WorkflowRunStatus> FollowAsync(IWorkflowGrain grain, long after, RunPrinter printer, CancellationToken cancellationToken)
    {
        while (true)
        {
            IReadOnlyList<WorkflowEvent> events;
            try
            {
                events = await grain.EventsAsync(after, 200, TimeSpan.FromSeconds(20), cancellationToken);
            }
            catch (TimeoutException)
            {
                continue;
            }
            foreach (var e in events) printer.Event(e);
            if (events.Count > 0) after = events[^1].Id;
            if (events.Any(e => WorkflowEventType.IsFinal(e.Type))) return await grain.StatusAsync(cancellationToken);
            if (events.Count == 0)
            {
                var status = await grain.StatusAsync(cancellationToken);
                if (WorkflowRunState.IsFinished(status.State) && status.LastEventId <= after) return status;
            }
        }
    }

    private static async Task<int> WithRunAsync(ClusterOptions cluster, ParseResult r, Option<string> tenant, Argument<string> runId, TextWriter error,
        Func<IWorkflowGrain, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await cluster.OpenAsync(r, embeddedIfNone: false, cancellationToken);
            return await action(connection.Grains.GetGrain<IWorkflowGrain>(new WorkflowRunKey(r.GetValue(tenant)!, r.GetValue(runId)!).ToString()));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await error.WriteLineAsync($"agents: {e.Message}");
            return e is NotFoundException or ArgumentException ? 2 : 1;
        }
    }

    private static async Task<int> WithHttpAsync(string url, string? key, TextWriter error, Func<AgentsHttpClient, Task<int>> action)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            await error.WriteLineAsync("agents: --url needs a tenant's key (--key or AGENTS_API_KEY).");
            return 2;
        }
        try
        {
            using var client = new AgentsHttpClient(new Uri(url), key);
            return await action(client);
        }
        catch (AgentsApiException e)
        {
            await error.WriteLineAsync($"agents: {e.Message}");
            if (e.Problem?.Problems is { Count: > 0 } problems)
                foreach (var problem in problems) await error.WriteLineAsync($"  - {problem}");
            return (int)e.Status is >= 400 and < 500 ? 2 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or UriFormatException)
        {
            await error.WriteLineAsync($"agents: {e.Message}");
            return 1;
        }
    }

    private static WorkflowRunStatus FromView(RunView r, string tenant) => new(
        r.RunId, tenant, r.Name, r.Team, r.Status, r.Answer, r.Citations.Select(c => new Citation(c.Id, c.Text, c.Source)).ToArray(),
        r.Steps, r.Error, r.StartedAt, r.FinishedAt, r.LastEventId, r.InsightsUsed, r.Silo);

    private static WorkflowEvent FromView(RunEventView e) =>
        new(e.Id, e.At, e.Type, e.Message, e.Step, e.Agent, e.Model, e.PromptTokens, e.CompletionTokens, e.MemoryIds);

    private static async Task<int> ProblemsAsync(TextWriter error, string file, IReadOnlyList<string> problems)
    {
        await error.WriteLineAsync($"agents: {file} is not a valid workflow ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):");
        foreach (var problem in problems) await error.WriteLineAsync($"  - {problem}");
        return 2;
    }
}
