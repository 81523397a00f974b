using Agents.Abstractions.Teams;
using Agents.Grains.Memory;
using Agents.Memory.Model;
using Agents.Memory.Pipelines.Team;
using Agents.Memory.Stores;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Agents.Grains.Teams;

/// <summary>
/// A team's G-Memory: a thin grain over <see cref="TeamMemory"/> on the team's memory scope. A finished
/// run's record is accepted into the grain's stored queue and applied from an interleaving grain timer,
/// one at a time in the order accepted (insight refinement reads and rewrites the team's insights), so
/// a run ends without waiting for its lesson to be learnt. Reads wait for the records accepted before
/// them (a run that began after another ended learns from it) and otherwise interleave with the
/// recording. A reminder, registered before a record is acknowledged, resumes the queue on another silo
/// if this one dies.
/// </summary>
public sealed class TeamMemoryGrain(
    [PersistentState("team-memory")] IPersistentState<TeamMemoryState> state,
    TeamMemory teams,
    IMemoryStore store,
    ILogger<TeamMemoryGrain> logger) : Grain, ITeamMemoryGrain, IRemindable
{
    private const string RecordReminder = "team-records";
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    /// <summary>Attempts at one record before it is given up (logged): a record that cannot be applied
    /// must not hold the team's later runs back for ever.</summary>
    private const int MaxAttempts = 10;

    private TeamKey? _key;
    private IGrainTimer? _recorder;
    private bool _reminderRegistered;
    // Records accepted by this activation (those found in the stored queue included) and records done
    // (applied or given up): the queue holds accepted - settled of them.
    private long _accepted;
    private long _settled;
    private int _attempts;
    private bool _failing;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // State writes from interleaved turns go one at a time; one write carries every change made before it.
    private readonly SemaphoreSlim _writing = new(1, 1);
    private long _changes;
    private long _written;

    private TeamKey Key => _key ??= TeamKey.Parse(this.GetPrimaryKeyString());
    private MemoryScope Scope => Key.Scope.ToScope();
    private TeamMemoryState State => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _recorder = this.RegisterGrainTimer(static (grain, token) => grain.RecordPendingAsync(token), this,
            new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        _accepted = State.Pending.Count;
        if (State.Pending.Count > 0)
        {
            // Accepted by an earlier activation and not yet applied: its reminder is still registered.
            _reminderRegistered = true;
            Kick();
        }
        return Task.CompletedTask;
    }

    public async Task<TeamContext> RecallAsync(string task, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        await WaitForRecordsAsync(cancellationToken);
        var recall = await teams.RecallAsync(Scope, task, cancellationToken: cancellationToken);

        return new TeamContext(
            recall.Insights.Select(ToInsight).ToArray(),
            recall.SuccessfulTrajectories.Concat(recall.FailedTrajectories).Select(ToTrajectory).ToArray(),
            recall.RelatedTasks.Select(r => r.Id).ToArray());
    }

    public async Task<bool> RecordRunAsync(TeamRunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.RunId);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Task);
        _ = Scope;
        var known = State.RecordedRuns.Contains(run.RunId) || State.Pending.Exists(p => p.RunId == run.RunId);
        if (!known)
        {
            State.Pending.Add(run);
            _accepted++;
            _changes++;
        }
        // A repeat still waits for the write: the first call may have failed before its record was stored.
        await EnsureReminderAsync();
        await WriteAsync(cancellationToken);
        Kick();
        return !known;
    }

    public async Task WaitForRecordsAsync(CancellationToken cancellationToken = default)
    {
        var target = _accepted;
        while (_settled < target && !_failing)
            await _progress.Task.WaitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<TeamInsight>> InsightsAsync(int limit, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be between 1 and 1000.");
        await WaitForRecordsAsync(cancellationToken);
        var insights = await store.ListAsync(new MemoryFilter(Scope) { Kinds = [MemoryKind.Insight] }, 1000, 0, cancellationToken);
        return insights.Where(i => i.ExpiredAt is null).OrderByDescending(TeamMemory.Score).ThenBy(i => i.CreatedAt).Take(limit).Select(ToInsight).ToArray();
    }

    public async Task<IReadOnlyList<TeamTrajectory>> RunsAsync(int limit, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be between 1 and 1000.");
        await WaitForRecordsAsync(cancellationToken);
        var filter = new MemoryFilter(Scope) { Kinds = [MemoryKind.Trajectory] };
        var total = await store.CountAsync(filter, cancellationToken);
        var newest = await store.ListAsync(filter, limit, (int)Math.Max(0, total - limit), cancellationToken);
        return newest.Reverse().Select(ToTrajectory).ToArray();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RecordReminder) return;
        if (State.Pending.Count > 0)
        {
            _reminderRegistered = true;
            Kick();
            return;
        }
        // Nothing queued: no more wake-ups. A record accepted meanwhile registers it again.
        _reminderRegistered = false;
        try
        {
            if (await this.GetReminder(RecordReminder) is { } reminder) await this.UnregisterReminder(reminder);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug(e, "Team {Team} could not unregister its record reminder; it will fire once more and find nothing", Key);
        }
        if (State.Pending.Count > 0) await EnsureReminderAsync();
    }

    private void Kick() => _recorder?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);

    // Registered before a record is acknowledged: an accepted record always has someone to apply it.
    private async Task EnsureReminderAsync()
    {
        if (_reminderRegistered) return;
        await this.RegisterOrUpdateReminder(RecordReminder, ReminderPeriod, ReminderPeriod);
        _reminderRegistered = true;
    }

    /// <summary>The queue, oldest first, until it is empty or a record fails (then again after a pause).</summary>
    private async Task RecordPendingAsync(CancellationToken cancellationToken)
    {
        while (State.Pending.Count > 0)
        {
            var run = State.Pending[0];
            try
            {
                if (!State.RecordedRuns.Contains(run.RunId)) await ApplyAsync(run, cancellationToken);
                Settle(run, recorded: true);
                await WriteAsync(cancellationToken);
                _attempts = 0;
                _failing = false;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;   // deactivating: the next activation goes on from the stored queue
            }
            catch (InconsistentStateException e)
            {
                logger.LogWarning(e, "Team {Team} was written elsewhere; this activation steps aside", Key);
                _failing = true;
                Signal();
                DeactivateOnIdle();
                return;
            }
            catch (Exception e)
            {
                if (++_attempts >= MaxAttempts)
                {
                    logger.LogError(e, "Run {Run} could not be recorded in team {Team} after {Attempts} attempts; its lesson is dropped", run.RunId, Key, _attempts);
                    Settle(run, recorded: false);
                    _attempts = 0;
                    try { await WriteAsync(cancellationToken); }
                    catch (Exception writing) when (writing is not OperationCanceledException) { logger.LogWarning(writing, "Team {Team} could not store its queue; the next record stores it", Key); }
                    continue;
                }
                logger.LogWarning(e, "Run {Run} could not be recorded in team {Team} (attempt {Attempt}); trying again", run.RunId, Key, _attempts);
                _failing = true;
                Signal();
                _recorder?.Change(TimeSpan.FromSeconds(Math.Min(30, _attempts)), Timeout.InfiniteTimeSpan);
                return;
            }
        }
    }

    private void Settle(TeamRunRecord run, bool recorded)
    {
        State.Pending.Remove(run);
        if (recorded)
        {
            State.RecordedRuns.Add(run.RunId);
            if (State.RecordedRuns.Count > TeamMemoryState.MaxRemembered) State.RecordedRuns.RemoveAt(0);
        }
        _changes++;
        _settled++;
        Signal();
    }

    private void Signal()
    {
        var progress = _progress;
        _progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        progress.TrySetResult();
    }

    /// <summary>The run's trajectory, query node and links, insight refinement, and the outcome for the
    /// insights it used, in one write keyed by the run (a record applied again after a crash stores nothing twice).</summary>
    private Task ApplyAsync(TeamRunRecord run, CancellationToken cancellationToken)
    {
        var steps = run.Steps.Select(s => new AgentStep(s.Agent, s.Message) { Instruction = s.Instruction, Action = s.Action, Observation = s.Outcome }).ToArray();
        return teams.RecordTaskAsync(Scope, new TeamTask(run.Task, steps, run.Succeeded), run.At, run.InsightsUsed, $"run:{run.RunId}", cancellationToken);
    }

    /// <summary>Stores the state as it is now, or returns when a write begun since the last change did.</summary>
    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var needed = _changes;
        await _writing.WaitAsync(cancellationToken);
        try
        {
            if (_written >= needed) return;
            var writing = _changes;
            await state.WriteStateAsync(cancellationToken);
            _written = writing;
        }
        finally
        {
            _writing.Release();
        }
    }

    private static TeamInsight ToInsight(MemoryRecord r) => new(r.Id, r.Content, TeamMemory.Score(r));

    private static TeamTrajectory ToTrajectory(MemoryRecord r)
    {
        var lines = r.Content.Split('\n');
        return new TeamTrajectory(r.Id, lines[0], lines.Skip(1).ToArray(), r.Metadata.GetValueOrDefault(TeamMemory.SucceededKey) == "true");
    }
}
