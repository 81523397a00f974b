using Agents.Abstractions;

namespace Agents.Tests.Integration.Infrastructure;

/// <summary>Waiting on a cluster that is noticing a dead silo or a restart.</summary>
public static class ClusterPolling
{
    /// <summary>Polls <paramref name="condition"/> until it holds, riding out the errors of a cluster in
    /// flux (time-outs, unreachable silos) but not the product's own errors; gives up after
    /// <paramref name="limit"/> (120 s unless told).</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan? limit = null)
    {
        var patience = limit ?? TimeSpan.FromSeconds(120);
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (e is not AgentsException && DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not there within {patience.TotalSeconds:F0} s");
            await Task.Delay(250);
        }
    }
}
