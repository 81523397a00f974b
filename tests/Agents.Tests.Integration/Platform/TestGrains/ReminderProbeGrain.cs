using Orleans;
using Orleans.Runtime;

namespace Agents.Tests.Integration.Platform.TestGrains;

public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public Task StartAsync(string reminder, TimeSpan dueTime, TimeSpan period) =>
        this.RegisterOrUpdateReminder(reminder, dueTime, period);

    public async Task<IReadOnlyList<string>> ListAsync() =>
        [.. (await this.GetReminders()).Select(r => r.ReminderName).Order(StringComparer.Ordinal)];

    public async Task<bool> StopAsync(string reminder)
    {
        var registered = await this.GetReminder(reminder);
        if (registered is null) return false;
        await this.UnregisterReminder(registered);
        return true;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ReminderLog.Record(this.GetPrimaryKeyString(), reminderName, RuntimeIdentity);
        return Task.CompletedTask;
    }
}
