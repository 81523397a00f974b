using Orleans;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>Registers, lists and unregisters its reminders; records each tick in <see cref="ReminderLog"/>.</summary>
[Alias("Agents.Tests.Platform.IReminderProbeGrain")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    [Alias("Start")]
    Task StartAsync(string reminder, TimeSpan dueTime, TimeSpan period);
    [Alias("List")]
    Task<IReadOnlyList<string>> ListAsync();
    /// <summary>Unregisters the reminder; false if it was not registered.</summary>
    [Alias("Stop")]
    Task<bool> StopAsync(string reminder);
}
