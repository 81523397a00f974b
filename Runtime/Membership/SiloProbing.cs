using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Membership;

/// <summary>One probe with the configured time-out: a throw or a time-out is a miss, never an error.</summary>
internal static partial class SiloProbing
{
    public static async Task<bool> ProbeAsync(ISiloProber prober, SiloAddress target, TimeSpan timeout, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await prober.ProbeAsync(target, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogProbeTimedOut(logger, target, timeout);
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogProbeFailed(logger, e, target);
            return false;
        }
    }

    public static async Task<bool?> ProbeIndirectlyAsync(IIndirectSiloProber prober, SiloAddress intermediary, SiloAddress target, TimeSpan timeout, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        // The intermediary probes with its own time-out, so allow it twice ours.
        using var deadline = new CancellationTokenSource(2 * timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await prober.ProbeIndirectlyAsync(intermediary, target, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Unknown: the intermediary could not be asked.
            LogIndirectProbeFailed(logger, e, intermediary, target);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Probe of {Target} timed out after {Timeout}")]
    private static partial void LogProbeTimedOut(ILogger logger, SiloAddress target, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Probe of {Target} failed")]
    private static partial void LogProbeFailed(ILogger logger, Exception exception, SiloAddress target);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Indirect probe of {Target} through {Intermediary} could not be made")]
    private static partial void LogIndirectProbeFailed(ILogger logger, Exception exception, SiloAddress intermediary, SiloAddress target);
}
