using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Agents.Abstractions;
using Agents.Abstractions.Memory;
using Agents.Abstractions.Teams;
using Agents.Abstractions.Workflows;
using Agents.Grains.Agents;
using Agents.Memory.Agents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Agents.Grains.Workflows;

/// <summary>
/// One run of a workflow. It works from an interleaving grain timer, one unit of work per tick: prepare
/// (the task's knowledge into the team memory, what the team recalls of similar runs), then the
/// topology's steps (<see cref="WorkflowSchedule"/>), then the record of the run in the team memory.
/// Its progress and events are written to grain storage before and after every step; a reminder wakes
/// it on another silo if this one dies, and it continues from its last completed step. Every memory
/// write of a step is keyed by run and step number, so a step run again writes nothing twice.
/// </summary>
public sealed class WorkflowGrain(
    [PersistentState("workflow-run")] IPersistentState<WorkflowRun> run,
    IOptions<WorkflowOptions> options,
    TimeProvider time,
    ILogger<WorkflowGrain> logger) : Grain, IWorkflowGrain, IRemindable
{
    private const string ResumeReminder = "workflow-run";

    private readonly WorkflowOptions _options = options.Value;
    private WorkflowRunKey? _key;
    private IGrainTimer? _ticks;
    private CancellationTokenSource? _step;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stalls;

    /// <summary>Ticks in a row that failed outside any step (the store or the team memory unreachable)
    /// before the run is failed with that error rather than retried forever.</summary>
    private const int MaxStalls = 20;

    private WorkflowRunKey Key => _key ??= WorkflowRunKey.Parse(this.GetPrimaryKeyString());
    private WorkflowRun Run => run.State;
    private WorkflowDefinition Definition => Run.Definition!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ticks = this.RegisterGrainTimer(static (grain, token) => grain.TickAsync(token), this,
            new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        // A run that was going when its last activation ended goes on here.
        if (Run.State == WorkflowRunState.Running) Kick();
        return Task.CompletedTask;
    }

    public async Task<WorkflowRunStatus> StartAsync(WorkflowDefinition definition, CancellationToken cancellationToken = default)
    {
        if (Run.State.Length > 0) return Status();   // a retried start
        var problems = WorkflowValidator.Validate(definition);
        if (problems.Count > 0) throw new InvalidWorkflowException(problems);
        _ = Key;
        using var started = WorkflowTelemetry.StartRun(Key, definition);
        Run.TraceParent = (started ?? Activity.Current)?.Id;
        Run.TraceState = (started ?? Activity.Current)?.TraceStateString;
        Run.Definition = definition;
        Run.State = WorkflowRunState.Running;
        Run.StartedAt = time.GetUtcNow();
        Emit(WorkflowEventType.RunStarted, $"run of '{definition.Name}' for team '{definition.Team}' started: {definition.Task}");
        try
        {
            await this.RegisterOrUpdateReminder(ResumeReminder, _options.ResumeReminderPeriod, _options.ResumeReminderPeriod);
            await run.WriteStateAsync(cancellationToken);
        }
        catch
        {
            // Not known to be stored (the database restarting, say): this activation must not keep a start
            // that its caller was told failed and that nothing drives. The caller's retry reaches a fresh
            // activation, which reads what was stored: a run to go on with, or none yet.
            DeactivateOnIdle();
            throw;
        }
        await ReportAsync(Run.State, Run.FinishedAt, cancellationToken);
        Kick();
        return Status();
    }

    public Task<WorkflowRunStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        RequireStarted();
        return Task.FromResult(Status());
    }

    public async Task<IReadOnlyList<WorkflowEvent>> EventsAsync(long afterId, int max, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        RequireStarted();
        if (max is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(max), max, "max must be between 1 and 1000.");
        if (afterId < 0) throw new ArgumentOutOfRangeException(nameof(afterId), afterId, "afterId must not be negative.");
        var events = After(afterId, max);
        if (events.Count > 0 || WorkflowRunState.IsFinished(Run.State) || wait <= TimeSpan.Zero) return events;
        var changed = _changed.Task;
        await Task.WhenAny(changed, Task.Delay(wait < _options.MaxEventWait ? wait : _options.MaxEventWait, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        return After(afterId, max);
    }

    public Task<WorkflowRunStatus> CancelAsync(CancellationToken cancellationToken = default)
    {
        RequireStarted();
        if (!WorkflowRunState.IsFinished(Run.State))
        {
            Run.CancelRequested = true;
            _step?.Cancel();
            Kick();
        }
        return Task.FromResult(Status());
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ResumeReminder && Run.State == WorkflowRunState.Running) Kick();
        return Task.CompletedTask;
    }

    private void Kick() => _ticks?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);

    /// <summary>One unit of work, then the next tick is scheduled while the run goes on.</summary>
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        if (Run.State != WorkflowRunState.Running) return;
        try
        {
            if (Run.CancelRequested)
            {
                await EndAsync(WorkflowRunState.Cancelled, null, "cancelled by request", cancellationToken);
                return;
            }
            var deadline = Run.StartedAt.AddSeconds(Definition.EffectiveLimits.Seconds);
            if (time.GetUtcNow() >= deadline)
            {
                await FailAsync($"the time limit of {Definition.EffectiveLimits.Seconds} s was reached", cancellationToken);
                return;
            }
            using var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            step.CancelAfter(deadline - time.GetUtcNow());
            _step = step;
            using var work = WorkflowTelemetry.StartWork(Run, Key, Run.Prepared ? "workflow.advance" : "workflow.prepare");
            try
            {
                if (!Run.Prepared) await PrepareAsync(step.Token);
                else await AdvanceAsync(step.Token);
            }
            catch (OperationCanceledException) when (step.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The deadline or a cancel request stopped the step; the next tick says which.
            }
            finally
            {
                _step = null;
            }
            _stalls = 0;
            if (Run.State == WorkflowRunState.Running) Kick();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Deactivating: the reminder or the next activation resumes from the last stored step.
        }
        catch (InconsistentStateException e)
        {
            // Another activation wrote this run (a silo thought dead came back): reload from storage.
            logger.LogWarning(e, "Run {Run} was written elsewhere; this activation steps aside", Key);
            DeactivateOnIdle();
        }
        catch (Exception e)
        {
            if (++_stalls >= MaxStalls)
            {
                logger.LogError(e, "Run {Run} made no progress in {Stalls} attempts; failing it", Key, _stalls);
                try { await FailAsync($"the run could not make progress: {e.Message}", CancellationToken.None); }
                catch (Exception failing) { logger.LogError(failing, "Run {Run} could not even be failed; its reminder will try again", Key); }
                return;
            }
            logger.LogWarning(e, "Run {Run} could not make progress; trying again", Key);
            _ticks?.Change(TimeSpan.FromSeconds(Math.Min(30, _stalls)), Timeout.InfiniteTimeSpan);
        }
    }

    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var teamKey = new TeamKey(Key.Tenant, Definition.Team);
        // The knowledge goes into the team's notes, the recall reads its runs and insights: independent, so at once.
        var recalling = GrainFactory.GetGrain<ITeamMemoryGrain>(teamKey.ToString()).RecallAsync(Definition.Task, cancellationToken);
        IReadOnlyList<Guid>? written = null;
        try
        {
            written = await AddKnowledgeAsync(teamKey, cancellationToken);
        }
        finally
        {
            if (written is null) await Observe(recalling);
        }
        var team = await recalling.WaitAsync(cancellationToken);
        var knowledge = Definition.Knowledge ?? [];
        if (knowledge.Count > 0)
            Emit(WorkflowEventType.MemoryWritten, $"{knowledge.Count} knowledge entr{(knowledge.Count == 1 ? "y" : "ies")} in team '{Definition.Team}' memory", memoryIds: written!);
        Run.Team = team;
        Emit(WorkflowEventType.MemoryRead,
            $"team memory: {Run.Team.RelatedRuns.Count} similar runs, {Run.Team.Insights.Count} insights, {Run.Team.Examples.Count} example trajectories",
            memoryIds: [.. Run.Team.Insights.Select(i => i.Id), .. Run.Team.RelatedRuns]);
        Run.Prepared = true;
        await run.WriteStateAsync(cancellationToken);
    }

    /// <summary>The task's knowledge into the team memory, searchable when this returns; the ids written.</summary>
    private async Task<IReadOnlyList<Guid>> AddKnowledgeAsync(TeamKey teamKey, CancellationToken cancellationToken)
    {
        var knowledge = Definition.Knowledge ?? [];
        if (knowledge.Count == 0) return [];
        var team = GrainFactory.GetGrain<IMemoryGrain>(teamKey.Scope.ToGrainKey());
        // One call for all of it; each entry keyed by its text, so knowledge given to many runs is stored once per team.
        var receipts = await team.AddManyAsync(
            knowledge.Select(text => new MemoryInput([new TurnInput(null, text, "knowledge")], Run.StartedAt, KnowledgeKey(text))).ToArray(), cancellationToken);
        var written = receipts.Where(r => !r.Repeated).Select(r => r.EpisodeId).Concat(receipts.SelectMany(r => r.NoteIds)).Distinct().ToArray();
        var jobs = receipts.Select(r => r.JobId).ToList();
        // The knowledge's own notes must be searchable, not every other run's work queued in the team.
        // WaitAsync too: the run stops waiting at its deadline even when the cancellation cannot reach
        // the callee (its silo died or was cut off; the call's own time-out is 10 minutes).
        await team.WaitForJobsAsync(jobs, cancellationToken).WaitAsync(cancellationToken);
        return written;
    }

    private static async Task Observe(Task task)
    {
        try { await task; } catch { /* the first failure is the one reported */ }
    }

    private async Task AdvanceAsync(CancellationToken cancellationToken)
    {
        var work = WorkflowSchedule.Next(Definition, Run);
        if (work.Finish is { } final)
        {
            await FinishAsync(final, work.Note, cancellationToken);
            return;
        }
        var limit = Definition.EffectiveLimits.Steps;
        var again = Run.StepInProgress;
        if (!again)
        {
            if (Run.StepsTaken + work.Steps.Count > limit)
            {
                await FailAsync($"the step limit of {limit} was reached", cancellationToken);
                return;
            }
            Run.CurrentStep = Run.StepsTaken + 1;
            Run.StepsTaken += work.Steps.Count;
            Run.StepInProgress = true;
        }
        // A worker's number follows its part, so a retry of some parts keeps every part's number (and memory key).
        var steps = work.Steps.Select((s, i) => s with { Number = Run.CurrentStep + (s.PartIndex >= 0 ? s.PartIndex : i) }).ToArray();
        foreach (var s in steps)
            Emit(WorkflowEventType.StepStarted, $"{s.Agent.Id}: {s.Kind} — {s.Question}{(again ? $" (again, attempt {Run.Attempt + 1})" : "")}", s.Number, s.Agent.Id);
        await run.WriteStateAsync(cancellationToken);

        var results = await Task.WhenAll(steps.Select(s => ActAsync(s, cancellationToken)));
        var failed = results.Where(r => r.Error is not null).ToArray();
        foreach (var (step, result) in results.Where(r => r.Error is null).Select(r => (r.Step, r.Result!)))
            Record(step, result);
        if (failed.Length == 0)
        {
            Run.Attempt = 0;
            Run.StepInProgress = false;
            WorkflowSchedule.Completed(Definition, Run, results.Select(r => (r.Step, (AgentStepResult?)r.Result)).ToArray());
            await run.WriteStateAsync(cancellationToken);
            return;
        }

        var reason = string.Join("; ", failed.Select(f => $"step {f.Step.Number} ({f.Step.Agent.Id}): {f.Error}"));
        foreach (var f in failed)
        {
            Emit(WorkflowEventType.StepFailed, f.Error!, f.Step.Number, f.Step.Agent.Id);
            Run.Trajectory.Add(new TeamRunStep(f.Step.Agent.Id, $"{f.Step.Kind}: {f.Step.Question}", "", "failed", f.Error!));
        }
        switch (Definition.OnError)
        {
            case WorkflowOnError.Retry when Run.Attempt < WorkflowOnError.MaxRetries:
                Run.Attempt++;
                WorkflowSchedule.Completed(Definition, Run, results.Where(r => r.Error is null).Select(r => (r.Step, (AgentStepResult?)r.Result)).ToArray(), partial: true);
                await run.WriteStateAsync(cancellationToken);
                break;
            case WorkflowOnError.Skip:
                foreach (var f in failed) Emit(WorkflowEventType.StepSkipped, $"skipped after: {f.Error}", f.Step.Number, f.Step.Agent.Id);
                Run.Attempt = 0;
                Run.StepInProgress = false;
                WorkflowSchedule.Completed(Definition, Run, results.Select(r => (r.Step, r.Result)).ToArray());
                await run.WriteStateAsync(cancellationToken);
                break;
            default:
                await FailAsync(reason, cancellationToken);
                break;
        }
    }

    private async Task<(ScheduledStep Step, AgentStepResult? Result, string? Error)> ActAsync(ScheduledStep step, CancellationToken cancellationToken)
    {
        var number = step.Number;
        var agent = GrainFactory.GetGrain<IAgentGrain>(new AgentKey(Key.Tenant, Definition.Team, step.Agent.Id).ToString());
        var kind = step.Kind.ToString();
        using var span = WorkflowTelemetry.StartStep(Definition.Name, number, step.Agent.Id, kind);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await agent.ActAsync(new AgentStepRequest(Key.RunId, number, step.Kind, Definition.Task, step.Question, step.Agent, step.Previous, Run.Team, Run.StartedAt), cancellationToken)
                .WaitAsync(cancellationToken);   // as the team's idle wait above: the deadline holds even if the callee's silo is gone
            WorkflowTelemetry.StepEnded(span, Definition.Name, step.Agent.Id, kind, Stopwatch.GetElapsedTime(started).TotalSeconds, null);
            return (step, result, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = e is AgentsException or TimeoutException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            WorkflowTelemetry.StepEnded(span, Definition.Name, step.Agent.Id, kind, Stopwatch.GetElapsedTime(started).TotalSeconds, error);
            // The cluster failed the call, not the step (a silo stopping or gone): the tick fails and the
            // step runs again from the stored run, here or on the silo the run moves to.
            if (e is OrleansMessageRejectionException) throw;
            return (step, null, error);
        }
    }

    private void Record(ScheduledStep step, AgentStepResult result)
    {
        foreach (var call in result.ModelCalls)
            Emit(WorkflowEventType.ModelCalled, $"{call.Model} in {call.Milliseconds:F0} ms{(call.ToolCalls.Count > 0 ? $", called {string.Join(", ", call.ToolCalls)}" : "")}",
                step.Number, step.Agent.Id, call.Model, call.PromptTokens, call.CompletionTokens);
        if (result.MemoryReads.Count > 0) Emit(WorkflowEventType.MemoryRead, $"read {result.MemoryReads.Count} memories", step.Number, step.Agent.Id, memoryIds: result.MemoryReads);
        if (result.MemoryWrites.Count > 0) Emit(WorkflowEventType.MemoryWritten, $"wrote {result.MemoryWrites.Count} memories", step.Number, step.Agent.Id, memoryIds: result.MemoryWrites);
        Emit(WorkflowEventType.StepFinished, $"{result.Action}: {Shorten(result.Output)}", step.Number, step.Agent.Id);
        Run.Trajectory.Add(new TeamRunStep(step.Agent.Id, $"{step.Kind}: {step.Question}", result.Output, result.Action, "ok"));
    }

    private async Task FinishAsync(StepOutput final, string? note, CancellationToken cancellationToken)
    {
        if (final.Text.Length == 0)
        {
            await FailAsync("no step produced an answer", cancellationToken);
            return;
        }
        Run.Answer = final.Text;
        Run.Citations = [.. final.Citations];
        var supported = final.Text.Length > 0 && final.Citations.Count > 0;
        await RecordAsync(supported, supported ? null : "the answer cites no memory", cancellationToken);
        await EndAsync(WorkflowRunState.Completed, null,
            $"answer ready{(note is null ? "" : $" ({note})")} with {final.Citations.Count} citation{(final.Citations.Count == 1 ? "" : "s")}", cancellationToken);
    }

    private async Task FailAsync(string reason, CancellationToken cancellationToken)
    {
        // A run that fails must end failed even when the team memory is out of reach (which may be why it
        // failed): the lesson is lost then, not the run's end.
        try
        {
            await RecordAsync(false, reason, cancellationToken).WaitAsync(RecordPatience, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Run {Run} failed ({Reason}); its trajectory could not be recorded in the team memory", Key, reason);
        }
        await EndAsync(WorkflowRunState.Failed, reason, reason, cancellationToken);
    }

    private static readonly TimeSpan RecordPatience = TimeSpan.FromSeconds(15);

    /// <summary>The run's trajectory into the team memory (once per run, whatever the retries).</summary>
    private async Task RecordAsync(bool succeeded, string? reason, CancellationToken cancellationToken)
    {
        var steps = Run.Trajectory.ToList();
        if (reason is not null) steps.Add(new TeamRunStep("workflow", "finish", reason, "ended", succeeded ? "ok" : $"failed: {reason}"));
        var team = GrainFactory.GetGrain<ITeamMemoryGrain>(new TeamKey(Key.Tenant, Definition.Team).ToString());
        await team.RecordRunAsync(new TeamRunRecord(Key.RunId, Definition.Task, steps, succeeded, Run.Team.Insights.Select(i => i.Id).ToArray(), time.GetUtcNow()), cancellationToken);
    }

    private async Task EndAsync(string state, string? error, string message, CancellationToken cancellationToken)
    {
        var finishedAt = time.GetUtcNow();
        // The tenant's list of runs learns of the end before anything shows it (the final event, the
        // status): a client that saw the run end finds it under its new status when it lists the runs.
        await ReportAsync(state, finishedAt, cancellationToken);
        Run.State = state;
        Run.Error = error;
        Run.FinishedAt = finishedAt;
        Emit(state switch
        {
            WorkflowRunState.Completed => WorkflowEventType.RunFinished,
            WorkflowRunState.Cancelled => WorkflowEventType.RunCancelled,
            _ => WorkflowEventType.RunFailed,
        }, message);
        await run.WriteStateAsync(cancellationToken);
        WorkflowTelemetry.RunEnded(Run, Key, Run.FinishedAt.Value);
        if (await this.GetReminder(ResumeReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }

    /// <summary>The run's line in its tenant's list of runs; the list is a convenience, so a failure
    /// to update it is logged, not the run's failure.</summary>
    private async Task ReportAsync(string state, DateTimeOffset? finishedAt, CancellationToken cancellationToken)
    {
        try
        {
            await GrainFactory.GetGrain<IRunDirectoryGrain>(Key.Tenant)
                .ReportAsync(new RunSummary(Key.RunId, Definition.Name, Definition.Team, state, Run.StartedAt, finishedAt), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Run {Run} could not update its tenant's list of runs", Key);
        }
    }

    private void Emit(string type, string message, int? step = null, string? agent = null, string? model = null,
        int? promptTokens = null, int? completionTokens = null, IReadOnlyList<Guid>? memoryIds = null)
    {
        Run.Events.Add(new WorkflowEvent(Run.Events.Count + 1, time.GetUtcNow(), type, message, step, agent, model, promptTokens, completionTokens, memoryIds));
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private List<WorkflowEvent> After(long afterId, int max) =>
        Run.Events.Where(e => e.Id > afterId).Take(max).ToList();

    private WorkflowRunStatus Status() => new(
        Key.RunId, Key.Tenant, Definition.Name, Definition.Team, Run.State, Run.Answer, Run.Citations, Run.StepsTaken, Run.Error,
        Run.StartedAt, Run.FinishedAt, Run.Events.Count, Run.Team.Insights.Select(i => i.Id).ToArray(), RuntimeIdentity);

    private void RequireStarted()
    {
        if (Run.State.Length == 0) throw new NotFoundException($"No run '{Key.RunId}' in tenant '{Key.Tenant}'.");
    }

    private static string KnowledgeKey(string text) =>
        "knowledge:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.Trim())));

    private static string Shorten(string text)
    {
        var line = AgentStepText.WithoutMarkers(text).ReplaceLineEndings(" ");
        return line.Length <= 160 ? line : line[..157] + "...";
    }
}
