using Agents.Tests.Integration.Infrastructure;
using Agents.Tests.Integration.Platform.TestGrains;
using Orleans;

namespace Agents.Tests.Integration.Platform;

/// <summary>Reminders live in the table, not in a silo: a silo that starts after another stopped
/// loads them from its ring range and fires them.</summary>
public sealed class OrleansReminderRestartTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task A_reminder_outlives_the_silo_that_registered_it()
    {
        var cluster = new PlatformCluster(db.ConnectionString);
        var key = $"restart-{Guid.NewGuid():N}";

        string firstSilo;
        await using (var first = await cluster.StartSiloAsync("first"))
        {
            firstSilo = first.Address.ToString();
            await using (var client = await cluster.StartClientAsync())
                await client.Client.GetGrain<IReminderProbeGrain>(key).StartAsync("tick", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            await Eventually.TrueAsync(() => ReminderLog.Of(key, "tick").Contains(firstSilo), "the reminder fires on the first silo");
            await first.StopAsync();
        }

        await using var second = await cluster.StartSiloAsync("second");
        Assert.NotEqual(firstSilo, second.Address.ToString());
        await Eventually.TrueAsync(() => ReminderLog.Of(key, "tick").Contains(second.Address.ToString()), "the reminder fires on the silo started afterwards");

        // It is still the one registration.
        await using var again = await cluster.StartClientAsync();
        Assert.Equal(["tick"], await again.Client.GetGrain<IReminderProbeGrain>(key).ListAsync());
    }
}
