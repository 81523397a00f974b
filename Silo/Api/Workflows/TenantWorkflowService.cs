using Agents.Abstractions;
using Agents.Abstractions.Workflows;
using Agents.Client.Api;
using Agents.Client.Workflows;

namespace Agents.Silo.Api.Workflows;

/// <summary>The workflow API over grains, within one tenant: the silo's side of <see cref="IAgentsWorkflowApi"/>.</summary>
public sealed class TenantWorkflowService(IGrainFactory grains, string tenant, TimeSpan maxWait) : IAgentsWorkflowApi
{
    public string Tenant { get; } = tenant;

    public async Task<RunView> StartRunAsync(string definition, string? runId = null, CancellationToken cancellationToken = default)
    {
        var read = WorkflowDefinitionReader.Read(definition ?? "");
        if (read.Definition is null) throw new InvalidWorkflowException(read.Problems);
        if (runId is not null) CheckRunId(runId);
        return ToView(await Run(runId ?? WorkflowRunKey.NewRunId()).StartAsync(read.Definition, cancellationToken));
    }

    public async Task<RunView> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        ToView(await Run(CheckRunId(runId)).StatusAsync(cancellationToken));

    public async Task<RunList> ListRunsAsync(int limit = 50, string? status = null, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > IRunDirectoryGrain.MaxRuns) throw new InvalidRequestException($"'limit' must lie between 1 and {IRunDirectoryGrain.MaxRuns}; got {limit}.");
        if (status is not null && status is not (WorkflowRunState.Running or WorkflowRunState.Completed or WorkflowRunState.Failed or WorkflowRunState.Cancelled))
            throw new InvalidRequestException($"'status' is one of running, completed, failed, cancelled; got '{status}'.");
        var runs = await grains.GetGrain<IRunDirectoryGrain>(Tenant).ListAsync(limit, status, cancellationToken);
        return new RunList(runs.Select(r => new RunSummaryView(r.RunId, r.Name, r.Team, r.State, r.StartedAt, r.FinishedAt)).ToList());
    }

    public async Task<RunView> CancelRunAsync(string runId, CancellationToken cancellationToken = default) =>
        ToView(await Run(CheckRunId(runId)).CancelAsync(cancellationToken));

    public async Task<RunEvents> RunEventsAsync(string runId, long afterId = 0, int max = 500, int waitSeconds = 0, CancellationToken cancellationToken = default)
    {
        if (max is < 1 or > 1000) throw new InvalidRequestException($"'max' must lie between 1 and 1000; got {max}.");
        if (afterId < 0) throw new InvalidRequestException($"'after' must not be negative; got {afterId}.");
        if (waitSeconds < 0) throw new InvalidRequestException($"'wait' must not be negative; got {waitSeconds}.");
        var grain = Run(CheckRunId(runId));
        var wait = TimeSpan.FromSeconds(waitSeconds) < maxWait ? TimeSpan.FromSeconds(waitSeconds) : maxWait;
        var events = await grain.EventsAsync(afterId, max, wait, cancellationToken);
        // Finished: the run is over and this page reaches its last event (a page cut by max is not the end).
        var last = events.Count > 0 ? events[^1].Id : afterId;
        var finished = events.Any(e => WorkflowEventType.IsFinal(e.Type))
            || (await grain.StatusAsync(cancellationToken) is var status && WorkflowRunState.IsFinished(status.State) && last >= status.LastEventId);
        return new RunEvents(runId, events.Select(ToView).ToList(), finished);
    }

    public IWorkflowGrain Run(string runId) => grains.GetGrain<IWorkflowGrain>(new WorkflowRunKey(Tenant, runId).ToString());

    public static RunView ToView(WorkflowRunStatus s) => new()
    {
        RunId = s.RunId, Name = s.Name, Team = s.Team, Status = s.State, Answer = s.Answer,
        Citations = s.Citations.Select(c => new CitationView(c.Id, c.Text, c.Source)).ToList(),
        Steps = s.Steps, Error = s.Error, StartedAt = s.StartedAt, FinishedAt = s.FinishedAt, LastEventId = s.LastEventId,
        InsightsUsed = s.InsightsUsed, Silo = s.Silo,
    };

    public static RunEventView ToView(WorkflowEvent e) => new()
    {
        Id = e.Id, At = e.At, Type = e.Type, Message = e.Message, Step = e.Step, Agent = e.Agent, Model = e.Model,
        PromptTokens = e.PromptTokens, CompletionTokens = e.CompletionTokens, MemoryIds = e.MemoryIds ?? [],
    };

    /// <summary>Run ids are names: 1 to 100 letters, digits, '-', '_' or '.'.</summary>
    public static string CheckRunId(string runId)
    {
        if (string.IsNullOrEmpty(runId) || runId.Length > 100 || !runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new InvalidRequestException($"'{(runId?.Length > 40 ? runId[..40] + "..." : runId)}' is not a run id (1 to 100 letters, digits, '-', '_' or '.').");
        return runId;
    }
}
