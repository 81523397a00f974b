using System.Collections.Concurrent;
using Agents.Memory.Diagnostics;
using Agents.Memory.Model;
using Agents.Memory.Stores;
using Microsoft.Extensions.Logging;

namespace Agents.Memory.Engine;

/// <summary>
/// Claims pending ingest jobs from the store's durable queue and runs them, one at a time (A-MEM
/// links each note against the ones before it, so order matters). Runs as a background loop
/// (<see cref="StartAsync"/> / <see cref="StopAsync"/>, the shape of a hosted service) or on demand
/// (<see cref="RunPendingAsync"/>). A failed job is retried with back-off and given up after
/// <see cref="MemoryEngineOptions.MaxAttempts"/>; jobs left by a crashed process are claimed again
/// once their lease expires, and jobs never claimed are picked up at the next start.
/// </summary>
public sealed class MemoryJobProcessor : IAsyncDisposable
{
    private static readonly string[] Kinds = [IngestJobHandler.JobKind];

    private readonly IMemoryStore _store;
    private readonly IngestJobHandler _handler;
    private readonly MemoryEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly AsyncPulse _work = new();
    private CancellationTokenSource? _stopping;
    private Task? _loop;
    // The next claim, sent while the last job of a full claim runs (under _gate), and the size it asked for.
    private Task<IReadOnlyList<MemoryJob>>? _nextClaim;
    private int _nextClaimSize;
    private readonly ClaimSize _claimSize;
    // A scope's next claim, sent while its job before runs (DrainScopeAsync), by scope and worker.
    private readonly ConcurrentDictionary<(MemoryScope Scope, string Worker), Task<ScopeJobClaim>> _scopeClaimsAhead = new();

    internal MemoryJobProcessor(IMemoryStore store, IngestJobHandler handler, MemoryEngineOptions options, TimeProvider time, ILogger logger)
    {
        _store = store;
        _handler = handler;
        _options = options;
        _time = time;
        _logger = logger;
        _claimSize = new ClaimSize(options.ClaimBatchSize, options.Lease);
    }

    /// <summary>Pulsed after every job that finished (done or given up).</summary>
    internal AsyncPulse Finished { get; } = new();

    public bool IsRunning => _loop is { IsCompleted: false };

    /// <summary>Tells the loop there is new work, so it does not wait for its next poll.</summary>
    public void Notify() => _work.Pulse();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null) throw new InvalidOperationException("The memory job processor is already started.");
        _stopping = new CancellationTokenSource();
        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null || _stopping is null) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try { await _loop.WaitAsync(cancellationToken).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _loop = null;
        _stopping.Dispose();
        _stopping = null;
    }

    /// <summary>Runs claimable jobs until none is left; returns how many ran.</summary>
    public async Task<int> RunPendingAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int n;
        while ((n = await RunOnceAsync(cancellationToken).ConfigureAwait(false)) > 0) total += n;
        return total;
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        try
        {
            await RunLoopAsync(stopping).ConfigureAwait(false);
        }
        finally
        {
            await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try { await ReleaseNextClaimAsync().ConfigureAwait(false); }
            finally { _gate.Release(); }
        }
    }

    private async Task RunLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (await RunOnceAsync(stopping).ConfigureAwait(false) == 0)
                    await _work.WaitAsync(_options.PollInterval, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The store itself failed (not a job): wait and try again rather than die.
                _logger.LogError(e, "Memory job processor could not claim work; retrying after {Delay}", _options.PollInterval);
                try { await Task.Delay(_options.PollInterval, stopping).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var next = _nextClaim;
            _nextClaim = null;
            var size = next is null ? _claimSize.Next : _nextClaimSize;
            var jobs = await (next ?? ClaimAsync(size, cancellationToken)).ConfigureAwait(false);
            // The claimed jobs share their checks of held scopes: a job's reads start from the scope as the
            // job before left it (its check, advanced by its writes), as a job's later reads do from its first.
            using var claimed = MemoryEngine.ShareChecks(_store);
            // The claim checked the jobs' held scopes in its round trip (it was sent ahead, outside this stretch).
            foreach (var job in jobs) MemoryEngine.AdoptCheck(_store, job);
            for (var i = 0; i < jobs.Count; i++)
            {
                // A full claim suggests more work: the next claim travels while the last job runs, so the
                // queue's round trip is not spent between jobs (a claim reads no memory, so it shares no check).
                if (i == jobs.Count - 1 && jobs.Count == size)
                {
                    _nextClaimSize = _claimSize.Next;
                    _nextClaim = ClaimAsync(_nextClaimSize, cancellationToken);
                }
                if (!await KeepLeaseAsync(jobs[i], _options.WorkerId, cancellationToken).ConfigureAwait(false)) continue;
                var started = _time.GetUtcNow();
                await RunAsync(jobs[i], cancellationToken).ConfigureAwait(false);
                _claimSize.Observe(_time.GetUtcNow() - started);
            }
            return jobs.Count;
        }
        catch when (_nextClaim is not null)
        {
            await ReleaseNextClaimAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A job that waited in its claim behind slow ones (model calls) has its lease renewed to full length
    /// before it starts, so it does not run out under it; one already run out may be another worker's now,
    /// and is left to the queue. A job claimed moments ago costs nothing here.
    /// </summary>
    private async Task<bool> KeepLeaseAsync(MemoryJob job, string worker, CancellationToken cancellationToken)
    {
        if (job.LeaseExpiresAt is not { } until || until - _time.GetUtcNow() > _options.Lease * 2 / 3) return true;
        if (await _store.RenewJobLeaseAsync(job.Id, worker, _options.Lease, cancellationToken).ConfigureAwait(false)) return true;
        _logger.LogWarning("Memory job {JobId} waited in its claim until its lease ran out; it is left to the queue", job.Id);
        return false;
    }

    private Task<IReadOnlyList<MemoryJob>> ClaimAsync(int size, CancellationToken cancellationToken) =>
        _store.ClaimJobsAsync(_options.WorkerId, size, _options.Lease, Kinds, cancellationToken);

    /// <summary>Hands the jobs of a claim made ahead back to the queue, at once (stopping, or the claim
    /// before it failed).</summary>
    private async Task ReleaseNextClaimAsync()
    {
        var next = _nextClaim;
        _nextClaim = null;
        if (next is null) return;
        IReadOnlyList<MemoryJob> jobs;
        try { jobs = await next.ConfigureAwait(false); }
        catch (Exception) { return; } // nothing was claimed, or the claim's own error was the failure
        foreach (var job in jobs) await HandBackAsync(job, _options.WorkerId).ConfigureAwait(false);
    }

    // A job claimed but not started goes back to the queue, claimable at once, its claim not counted.
    private async Task HandBackAsync(MemoryJob job, string worker)
    {
        try { await _store.ReleaseJobAsync(job.Id, worker, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) { _logger.LogWarning(e, "Memory job {JobId} could not be handed back; it runs again when its lease expires", job.Id); }
    }

    /// <summary>
    /// Runs up to <paramref name="maxJobs"/> pending jobs of exactly <paramref name="scope"/> as
    /// <paramref name="worker"/>, one at a time in the order they were enqueued, stopping early when
    /// none can be claimed now. The scope's owner calls this; the store refuses a claim while another
    /// worker holds a lease in the scope, so a scope is never processed in two places at once. Returns
    /// how many ran, how many are left, and, when none could be claimed, when to look again.
    /// </summary>
    public async Task<ScopeDrainResult> DrainScopeAsync(MemoryScope scope, string worker, int maxJobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        MemoryInputValidator.ValidateWorker(worker);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxJobs);
        var ran = 0;
        long left = 0;
        while (ran < maxJobs)
        {
            // The claim may check the scope in its round trip (a held scope on PostgreSQL): the job's reads
            // then start from that check instead of sending their own.
            using var claiming = MemoryEngine.ShareChecks(_store);
            var claim = await TakeScopeClaimAheadAsync(scope, worker, cancellationToken).ConfigureAwait(false)
                ?? await _store.ClaimScopeJobAsync(scope, worker, _options.Lease, Kinds, cancellationToken).ConfigureAwait(false);
            if (claim.Job is null) return new ScopeDrainResult(ran, claim.Pending, claim.RetryAt);
            MemoryEngine.AdoptCheck(_store, claim.Job);
            // More work waits: the scope's next claim travels while this job runs, so its round trip is not
            // spent between jobs (the scope's owner comes back for it at once, in this call or its next).
            if (claim.Pending > 1) _scopeClaimsAhead[(scope, worker)] = ClaimScopeAheadAsync(scope, worker);
            try
            {
                await RunAsync(claim.Job, worker, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await ReleaseScopeClaimAheadAsync(scope, worker, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            ran++;
            left = claim.Pending - 1;   // a failed job that will be retried still counts: it is claimed again later
        }
        return new ScopeDrainResult(ran, left, null);
    }

    // Sent outside the caller's stretch of shared checks (the running job's reads must not take its check);
    // the claim keeps its check for the stretch that takes the claim (AdoptCheck).
    private Task<ScopeJobClaim> ClaimScopeAheadAsync(MemoryScope scope, string worker)
    {
        using (ExecutionContext.SuppressFlow())
            return Task.Run(() => _store.ClaimScopeJobAsync(scope, worker, _options.Lease, Kinds, CancellationToken.None));
    }

    /// <summary>
    /// The scope's claim sent ahead by this worker, when it claimed a job that is still ours (its lease renewed
    /// first if the job waited long). Null (claim now) when there is none, it failed, it found nothing (more
    /// may have come since), or its lease ran out.
    /// </summary>
    private async Task<ScopeJobClaim?> TakeScopeClaimAheadAsync(MemoryScope scope, string worker, CancellationToken cancellationToken)
    {
        if (!_scopeClaimsAhead.TryRemove((scope, worker), out var ahead)) return null;
        ScopeJobClaim claim;
        try { claim = await ahead.ConfigureAwait(false); }
        catch (Exception e)
        {
            _logger.LogDebug(e, "A claim sent ahead for {Scope} failed; claiming again", scope);
            return null;
        }
        if (claim.Job is not { } job) return null;
        bool kept;
        try { kept = await KeepLeaseAsync(job, worker, cancellationToken).ConfigureAwait(false); }
        catch
        {
            await HandBackAsync(job, worker).ConfigureAwait(false);
            throw;
        }
        return kept ? claim : null;
    }

    /// <summary>
    /// Hands back, at once, the job that <paramref name="worker"/>'s claim sent ahead in <paramref name="scope"/>
    /// holds, if any: the scope's owner calls this when it stops working on the scope (deactivation), so
    /// the next owner need not wait for the lease to run out.
    /// </summary>
    public async Task ReleaseScopeClaimAheadAsync(MemoryScope scope, string worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (!_scopeClaimsAhead.TryRemove((scope, worker), out var ahead)) return;
        ScopeJobClaim claim;
        try { claim = await ahead.WaitAsync(cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException) { return; } // nothing was claimed
        if (claim.Job is { } job) await HandBackAsync(job, worker).ConfigureAwait(false);
    }

    private Task RunAsync(MemoryJob job, CancellationToken cancellationToken) => RunAsync(job, _options.WorkerId, cancellationToken);

    private async Task RunAsync(MemoryJob job, string worker, CancellationToken cancellationToken)
    {
        MemoryTelemetry.JobStarted(job, _time.GetUtcNow());
        var outcome = "completed";
        try
        {
            bool completed;
            // The handler completes the job with its last writes where it can (one round trip fewer).
            await using (new JobLeaseKeeper(_store, job.Id, worker, _options.Lease, _logger))
                completed = await _handler.HandleAsync(job, worker, cancellationToken).ConfigureAwait(false);
            if (!completed && !await _store.CompleteJobAsync(job.Id, worker, cancellationToken).ConfigureAwait(false))
                _logger.LogWarning("Memory job {JobId} finished after its lease was lost; it may run again (harmless: handlers are idempotent)", job.Id);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: hand the job back at once for the next start.
            outcome = "interrupted";
            await _store.FailJobAsync(job.Id, worker, "interrupted by shutdown", _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (Exception e)
        {
            var giveUp = job.Attempts >= _options.MaxAttempts;
            _logger.LogWarning(e, "Memory job {JobId} attempt {Attempt} failed{GiveUp}", job.Id, job.Attempts, giveUp ? "; giving up" : "; will retry");
            var error = $"{e.GetType().Name}: {e.Message}";
            outcome = giveUp ? "failed" : "retry";
            if (giveUp)
            {
                await _store.FailJobAsync(job.Id, worker, error, null, cancellationToken).ConfigureAwait(false);
                if (TryEpisode(job) is { } episode) await _handler.MarkAsync(episode, IngestJobHandler.Failed, error, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var retryAt = _time.GetUtcNow() + _options.RetryDelay * Math.Max(1, job.Attempts);
                await _store.FailJobAsync(job.Id, worker, error, retryAt, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            MemoryTelemetry.JobEnded(job, _time.GetUtcNow(), outcome);
            Finished.Pulse();
        }
    }

    private static Guid? TryEpisode(MemoryJob job)
    {
        try { return IngestJobHandler.ReadPayload(job).EpisodeId; }
        catch (Pipelines.MemoryPipelineException) { return null; }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var (scope, worker) in _scopeClaimsAhead.Keys.ToList())
            await ReleaseScopeClaimAheadAsync(scope, worker, CancellationToken.None).ConfigureAwait(false);
        _gate.Dispose();
    }
}
