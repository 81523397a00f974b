using Agents.Runtime.Membership;

namespace Agents.Runtime.Hosting;

/// <summary>Probes a silo with a Ping frame over the silo-to-silo connection (opened if needed).</summary>
internal sealed class ConnectionSiloProber(Func<SiloRuntime> runtime, TimeSpan timeout) : ISiloProber
{
    public async Task<bool> ProbeAsync(SiloAddress target, CancellationToken cancellationToken)
    {
        try
        {
            await runtime().Connections.Get(target).PingAsync(timeout, cancellationToken);
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
