namespace Agents.Tests.Integration.Platform;

/// <summary>Polls a condition instead of sleeping for a guessed time: cluster events (a silo joining,
/// a reminder firing) take as long as the machine takes.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition()) return;
                last = null;
            }
            catch (Exception e)
            {
                last = e;
            }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"Not so after {(timeout ?? DefaultTimeout).TotalSeconds:0} s: {what}.", last);
            await Task.Delay(Interval);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);
}
