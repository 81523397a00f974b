using Agents.Memory.Stores;
using Microsoft.Extensions.Logging;

namespace Agents.Memory.Engine;

/// <summary>
/// Renews a running job's lease every third of its length until disposed, so that a short lease
/// (quick take-over after a crash) does not expire under a slow model call.
/// </summary>
internal sealed class JobLeaseKeeper : IAsyncDisposable
{
    private readonly PeriodicTimer _timer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public JobLeaseKeeper(IMemoryStore store, Guid jobId, string worker, TimeSpan lease, ILogger logger)
    {
        _timer = new PeriodicTimer(lease / 3);
        _loop = RenewAsync(store, jobId, worker, lease, logger);
    }

    private async Task RenewAsync(IMemoryStore store, Guid jobId, string worker, TimeSpan lease, ILogger logger)
    {
        try
        {
            // A disposed timer ends the wait with false: most jobs end before the first tick, and they
            // stop the loop that way rather than by a cancellation thrown per job.
            while (await _timer.WaitForNextTickAsync().ConfigureAwait(false))
            {
                try
                {
                    if (await store.RenewJobLeaseAsync(jobId, worker, lease, _stop.Token).ConfigureAwait(false)) continue;
                    logger.LogWarning("Lost the lease on memory job {JobId}; another worker may run it again (harmless: handlers are idempotent)", jobId);
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store hiccuped: the lease still has two thirds of its time; try again next tick.
                    logger.LogWarning(e, "Renewing the lease on memory job {JobId} failed; trying again", jobId);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed while a renewal was on its way.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
