namespace Agents.Runtime.Membership;

/// <summary>Generations for new silo incarnations: seconds since 2024-01-01 UTC, strictly increasing
/// within a process, so a restarted silo on the same endpoint gets a higher generation.</summary>
public static class SiloGeneration
{
    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static int s_last;

    public static int Next(TimeProvider? timeProvider = null)
    {
        var now = (int)((timeProvider ?? TimeProvider.System).GetUtcNow() - Epoch).TotalSeconds;
        while (true)
        {
            var last = Volatile.Read(ref s_last);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref s_last, next, last) == last)
                return next;
        }
    }
}
