using Orleans;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>Registers, lists and unregisters its reminders; records each tick in <see cref="ReminderLog"/>.</summary>
public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task StartAsync(string reminder, TimeSpan dueTime, TimeSpan period);
    Task<IReadOnlyList<string>> ListAsync();
    /// <summary>Unregisters the reminder; false if it was not registered.</summary>
    Task<bool> StopAsync(string reminder);
}
