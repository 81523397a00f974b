using Agents.Memory.Stores;
using Microsoft.Extensions.Logging;

namespace Agents.Memory.Engine;

/// <summary>
/// Renews a running job's lease every third of its length until disposed, so that a short lease
/// (quick take-over after a crash) does not expire under a slow model call.
/// </summary>
internal sealed class JobLeaseKeeper : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public JobLeaseKeeper(IMemoryStore store, Guid jobId, string worker, TimeSpan lease, ILogger logger) =>
        _loop = RenewAsync(store, jobId, worker, lease, logger, _stop.Token);

    private static async Task RenewAsync(IMemoryStore store, Guid jobId, string worker, TimeSpan lease, ILogger logger, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(lease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    if (await store.RenewJobLeaseAsync(jobId, worker, lease, stop).ConfigureAwait(false)) continue;
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
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
