using Agents.Abstractions.Memory;
using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Team;
using Agents.Memory.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace Agents.Grains.Memory;

/// <summary>
/// The memory of one scope: a thin grain over the silo's <see cref="MemoryEngine"/>, and the owner of
/// the scope's background pipeline. One activation cluster-wide means one ordered writer and one
/// pipeline per scope, while scopes run in parallel on every silo. The pipeline runs from an
/// interleaving grain timer, so adds and searches are served while a model call is in flight; a
/// reminder, registered before an add is acknowledged, wakes the scope on another silo if this one
/// dies, and every activation resumes pending work when it starts.
/// </summary>
// Immovable: Orleans (10.4) migrates a shutting-down activation that has requests queued (here, the
// pipeline's next tick) and, with no other silo, logs an error per scope. The scope's state is in the
// store, so a plain deactivation loses nothing; the next call or the reminder activates it anew, and
// the silo's shutdown hand-off (user-initiated migration, still allowed) moves busy scopes when
// another silo is there.
[Immovable]
public sealed class MemoryGrain(MemoryEngine engine, PipelineThrottle throttle, IOptions<MemoryGrainOptions> options, TimeProvider time, ILogger<MemoryGrain> logger)
    : Grain, IMemoryGrain, IRemindable
{
    private const string ResumeReminder = "memory-pipeline";

    private readonly MemoryGrainOptions _options = options.Value;
    private MemoryScope? _scope;
    private string _worker = "";
    private IGrainTimer? _pipeline;
    private IDisposable? _held;
    private bool _running;
    private bool _kicked;
    private bool _reminderRegistered;
    private long _pending = -1;
    private long _processed;
    private string? _lastError;
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _ticked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The scope named by the key, parsed on first use: a bad key fails each call with the
    /// scope's own error (rather than failing activation), so the caller learns what is wrong.</summary>
    private MemoryScope Scope => _scope ??= ScopeRef.FromGrainKey(this.GetPrimaryKeyString()).ToScope();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Unique per activation: the store's leases tell this activation's claims from a predecessor's.
        _worker = $"memory@{RuntimeIdentity}#{Guid.NewGuid():N}";
        // The owner holds its scope: the store may keep it in process while this activation lives.
        try { _held = engine.HoldScope(Scope); } catch (Exception e) when (e is FormatException or InvalidMemoryInputException) { }
        _pipeline = this.RegisterGrainTimer(static (grain, token) => grain.RunPipelineAsync(token), this,
            new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _pipeline?.Dispose();
        // A job claimed ahead for the next tick goes back to the queue now, for whoever owns the scope next.
        if (_scope is { } owned)
        {
            try { await engine.Processor.ReleaseScopeClaimAheadAsync(owned, _worker, cancellationToken); }
            catch (OperationCanceledException) { } // out of time: the job's lease runs out instead
        }
        _held?.Dispose();
        // An idle scope needs no wake-up call; one with work left keeps its reminder for whoever comes
        // next. A silo shutting down leaves reminders alone: its reminder service is stopping too.
        if (_reminderRegistered && !_running && !_kicked && _scope is { } scope && reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
        {
            try
            {
                // The queue is the truth: a job added at the last moment keeps the reminder.
                if (await engine.Store.CountJobsAsync(scope, MemoryJobStatus.Pending, cancellationToken) == 0
                    && await this.GetReminder(ResumeReminder) is { } reminder)
                    await this.UnregisterReminder(reminder);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug(e, "Could not unregister the pipeline reminder of {Scope}; it will fire once and find nothing to do", _scope);
            }
        }
    }

    public async Task<MemoryAddReceipt> AddAsync(MemoryInput input, CancellationToken cancellationToken = default)
    {
        var request = Request(input, null);
        await EnsureReminderAsync();
        var result = await engine.AddAsync(request, cancellationToken);
        if (!result.Repeated) Kick();
        return new MemoryAddReceipt(result.EpisodeId, result.NoteIds, result.JobId, result.Repeated);
    }

    public async Task<IReadOnlyList<MemoryAddReceipt>> AddManyAsync(IReadOnlyList<MemoryInput> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0) return [];
        var requests = inputs.Select((input, i) => Request(input, i)).ToList();
        await EnsureReminderAsync();
        var results = await engine.AddManyAsync(requests, cancellationToken);
        if (results.Any(static r => !r.Repeated)) Kick();
        return results.Select(static r => new MemoryAddReceipt(r.EpisodeId, r.NoteIds, r.JobId, r.Repeated)).ToList();
    }

    // The engine's add for one input; index names the input in a bulk add's errors.
    private AddMemoryRequest Request(MemoryInput input, int? index)
    {
        var which = index is { } n ? $"Add {n}: " : "";
        if (input is null) throw new InvalidMemoryContentException($"{which}the add is missing.");
        if (input.Messages is not { Count: > 0 }) throw new InvalidMemoryContentException($"{which}an add needs at least one message.");
        if (input.Messages.Any(m => m is null)) throw new InvalidMemoryContentException($"{which}an add's messages must not be null.");
        var turns = input.Messages.Select(m => new ConversationTurn(m.Speaker, m.Text)).ToArray();
        var sources = input.Messages.Select(m => m.SourceId).OfType<string>().ToArray();
        return new AddMemoryRequest(Scope, turns, input.ObservedAt)
        {
            Sources = sources,
            IdempotencyKey = input.IdempotencyKey ?? AddIdempotency.DeriveKey(turns, input.ObservedAt, sources),
        };
    }

    // Registered before an add is acknowledged: an acknowledged add always has someone to resume it.
    private async Task EnsureReminderAsync()
    {
        if (_reminderRegistered) return;
        await this.RegisterOrUpdateReminder(ResumeReminder, _options.ResumeReminderPeriod, _options.ResumeReminderPeriod);
        _reminderRegistered = true;
    }

    public async Task WaitForIdleAsync(CancellationToken cancellationToken = default)
    {
        _ = Scope;
        if (!_running && !_kicked && _pending == 0) return;
        if (!_running) Kick();
        await _idle.Task.WaitAsync(cancellationToken);
    }

    public async Task WaitForJobsAsync(IReadOnlyList<Guid> jobIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var scope = Scope;
        while (true)
        {
            var waiting = false;
            foreach (var id in jobIds.Distinct())
            {
                // Another scope's job is not this grain's to wait for: it counts as done here.
                if (await engine.Store.GetJobAsync(id, cancellationToken) is { Status: MemoryJobStatus.Pending } job && job.Scope == scope) { waiting = true; break; }
            }
            if (!waiting) return;
            if (!_running) Kick();
            // Checked again after each job this grain runs, or after a while if another silo runs them.
            await Task.WhenAny(_ticked.Task, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)).WaitAsync(cancellationToken);
        }
    }

    public async Task<MemoryPipelineStatus> PipelineStatusAsync(CancellationToken cancellationToken = default)
    {
        // Mid-pass the last count is stale: ask the queue.
        var pending = _running ? await engine.Store.CountJobsAsync(Scope, MemoryJobStatus.Pending, cancellationToken) : _pending;
        return new MemoryPipelineStatus(pending, _running, _processed, _lastError, RuntimeIdentity);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ResumeReminder)
        {
            _reminderRegistered = true;
            Kick();
        }
        return Task.CompletedTask;
    }

    /// <summary>Runs a pipeline pass now, or right after the one running.</summary>
    private void Kick()
    {
        _kicked = true;   // a pass is due: the scope is not idle until it ran
        _pipeline?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private async Task RunPipelineAsync(CancellationToken cancellationToken)
    {
        MemoryScope scope;
        try
        {
            scope = Scope;
        }
        catch (Exception e) when (e is FormatException or InvalidMemoryInputException)
        {
            _pending = 0; // a malformed key names no scope, so there is nothing to run
            _kicked = false;
            Signal(ref _idle);
            return;
        }
        // A slot of the silo's pipeline budget; a scope that waits too long lets the activation breathe
        // (deactivation waits for a running tick) and queues again.
        if (!await throttle.EnterAsync(TimeSpan.FromSeconds(1), cancellationToken))
        {
            _pipeline?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            return;
        }
        _running = true;
        _kicked = false;
        try
        {
            // One job per tick: between ticks the activation can deactivate (Orleans waits for a running
            // tick), so a long queue never holds a shutdown or a migration hostage.
            var result = await engine.Processor.DrainScopeAsync(scope, _worker, maxJobs: 1, cancellationToken);
            _processed += result.Ran;
            _pending = result.Pending;
            _lastError = null;
            if (_kicked || (result.Pending > 0 && result.RetryAt is null)) _pipeline?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            else if (result.RetryAt is { } at) _pipeline?.Change(Clamp(at - time.GetUtcNow(), _options.MaxRecheckDelay), Timeout.InfiniteTimeSpan);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Deactivating: the job in hand went back to the queue for the next owner.
        }
        catch (Exception e)
        {
            _lastError = e.Message;
            logger.LogWarning(e, "The memory pipeline of {Scope} could not reach the store; trying again in {Delay}", scope, _options.StoreRetryDelay);
            _pipeline?.Change(_options.StoreRetryDelay, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            _running = false;
            throttle.Exit();
        }
        Signal(ref _ticked);
        if (_pending == 0 && !_kicked) Signal(ref _idle);
    }

    // Wakes those waiting on the signal and arms a fresh one for the next waiters.
    private static void Signal(ref TaskCompletionSource signal)
    {
        var fired = signal;
        signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fired.TrySetResult();
    }

    private static TimeSpan Clamp(TimeSpan delay, TimeSpan max) =>
        delay < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : delay > max ? max : delay;

    public async Task<IReadOnlyList<MemoryHit>> SearchAsync(MemoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.TopK is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(query), query.TopK, "topK must be between 1 and 1000.");
        var hits = await engine.SearchAsync(query.Text, query.ToFilter(Scope), query.TopK, cancellationToken: cancellationToken);
        return hits.Select(h => h.Record.ToHit(h.Score)).ToArray();
    }

    public async Task<IReadOnlyList<MemoryHit>> GetAllAsync(int limit, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be between 1 and 10000.");
        var records = await engine.GetAllAsync(Scope, limit: limit, cancellationToken: cancellationToken);
        return records.Select(r => r.ToHit(1)).ToArray();
    }

    public async Task<IReadOnlyList<MemoryChange>> HistoryAsync(Guid memoryId, CancellationToken cancellationToken = default)
    {
        await RequireOwnAsync(memoryId, cancellationToken);
        var history = await engine.HistoryAsync(memoryId, cancellationToken);
        return history.Select(h => h.ToChange()).ToArray();
    }

    public async Task<MemoryHit> UpdateAsync(Guid memoryId, string content, CancellationToken cancellationToken = default)
    {
        await RequireOwnAsync(memoryId, cancellationToken);
        var updated = await engine.UpdateAsync(memoryId, content, cancellationToken: cancellationToken);
        return updated.ToHit(1);
    }

    public async Task<bool> DeleteAsync(Guid memoryId, CancellationToken cancellationToken = default)
    {
        var record = await engine.GetAsync(memoryId, cancellationToken);
        if (record is null || !Scope.Contains(record.Scope)) return false;
        return await engine.DeleteAsync(memoryId, cancellationToken: cancellationToken);
    }

    public async Task<MemoryGraph> GraphAsync(DateTimeOffset? asOf, int limit, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 5_000) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be between 1 and 5000.");
        var filter = new MemoryFilter(Scope) { Kinds = MemoryEngine.DefaultKinds, AsOf = asOf };
        var total = await engine.Store.CountAsync(filter, cancellationToken);
        var records = await engine.Store.ListAsync(filter, limit, (int)Math.Max(0, total - limit), cancellationToken);
        var ids = records.Select(r => r.Id).ToHashSet();
        var edges = ids.Count == 0 ? [] : await engine.Store.GetEdgesAsync(new EdgeQuery(Scope.Tenant, ids) { AsOf = asOf, Limit = 10 * limit }, cancellationToken);
        var links = edges.Where(e => ids.Contains(e.FromId) && ids.Contains(e.ToId))
            .Select(e => new MemoryLink(e.Id, e.FromId, e.ToId, e.Type, e.Weight, e.Fact, e.ValidAt, e.InvalidAt)).ToArray();
        return new MemoryGraph(records.Select(r => r.ToDetail(1)).ToArray(), links, asOf, total > limit);
    }

    public async Task<ScopeErasure> EraseAsync(CancellationToken cancellationToken = default) =>
        (await engine.DeleteAllAsync(Scope, cancellationToken)).ToErasure();

    public async Task<MemoryDetail> GetAsync(Guid memoryId, CancellationToken cancellationToken = default) =>
        (await RequireOwnAsync(memoryId, cancellationToken)).ToDetail(1);

    public async Task<IReadOnlyList<MemoryDetail>> FindAsync(MemoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.TopK is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(query), query.TopK, "topK must be between 1 and 1000.");
        var hits = await engine.SearchAsync(query.Text, query.ToFilter(Scope), query.TopK, cancellationToken: cancellationToken);
        return hits.Select(h => h.Record.ToDetail(h.Score)).ToArray();
    }

    public async Task<MemoryPage> ListAsync(MemoryListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "limit must be between 1 and 1000.");
        if (query.Offset is < 0 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(query), query.Offset, "offset must be between 0 and 1000000.");
        var filter = new MemoryFilter(Scope)
        {
            Kinds = query.Kinds is { Count: > 0 } ? query.Kinds.Select(k => new MemoryKind(k)).ToArray() : MemoryEngine.DefaultKinds,
            AsOf = query.AsOf,
            IncludeExpired = query.IncludeExpired,
        };
        var records = await engine.Store.ListAsync(filter, query.Limit, query.Offset, cancellationToken);
        var total = await engine.Store.CountAsync(filter, cancellationToken);
        return new MemoryPage(records.Select(r => r.ToDetail(1)).ToArray(), total);
    }

    public async Task<IReadOnlyList<TeamInsightDetail>> InsightsAsync(bool includeRetired, CancellationToken cancellationToken = default) =>
        (await new TeamMemoryReader(engine.Store).InsightsAsync(Scope, includeRetired, cancellationToken: cancellationToken)).Select(i => i.ToInsight()).ToArray();

    public async Task<IReadOnlyList<TeamRunDetail>> RunsAsync(int limit, int offset, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be between 1 and 1000.");
        if (offset is < 0 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(offset), offset, "offset must be between 0 and 1000000.");
        return (await new TeamMemoryReader(engine.Store).RunsAsync(Scope, limit, offset, cancellationToken)).Select(r => r.ToRun()).ToArray();
    }

    public async Task<TeamRunDetail> RunAsync(Guid runId, CancellationToken cancellationToken = default) =>
        (await new TeamMemoryReader(engine.Store).RunAsync(Scope, runId, cancellationToken))?.ToRun()
        ?? throw new MemoryNotFoundException($"No run {runId} in this scope.");

    /// <summary>A scope's grain touches only its own memories: another scope's id is "not found", so
    /// ids leak nothing across tenants.</summary>
    private async Task<MemoryRecord> RequireOwnAsync(Guid memoryId, CancellationToken cancellationToken)
    {
        var record = await engine.GetAsync(memoryId, cancellationToken);
        if (record is null || !Scope.Contains(record.Scope))
            throw new MemoryNotFoundException($"No memory {memoryId} in this scope.");
        return record;
    }
}
