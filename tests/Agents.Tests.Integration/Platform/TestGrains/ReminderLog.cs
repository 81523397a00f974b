using System.Collections.Concurrent;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>Where reminder ticks are seen: the silos run in the test process, so a static log is
/// shared by every silo and outlives a silo's restart.</summary>
public static class ReminderLog
{
    private static readonly ConcurrentDictionary<(string Grain, string Reminder), ConcurrentQueue<string>> Ticks = new();

    public static void Record(string grain, string reminder, string silo) =>
        Ticks.GetOrAdd((grain, reminder), _ => new ConcurrentQueue<string>()).Enqueue(silo);

    /// <summary>The silo of every tick of that reminder so far, in order.</summary>
    public static IReadOnlyList<string> Of(string grain, string reminder) =>
        Ticks.TryGetValue((grain, reminder), out var ticks) ? [.. ticks] : [];
}
