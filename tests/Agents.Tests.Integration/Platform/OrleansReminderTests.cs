using Agents.Tests.Integration.Platform.TestGrains;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;

namespace Agents.Tests.Integration.Platform;

/// <summary>Reminders through Orleans' ADO.NET reminder table over our schema (0053): from a grain on a
/// real silo, and the table contract (ring ranges, ETags) through the silo's own <see cref="IReminderTable"/>.</summary>
public sealed class OrleansReminderTests(SingleSiloCluster cluster) : IClassFixture<SingleSiloCluster>
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_grain_registers_lists_receives_and_unregisters_a_reminder()
    {
        var key = $"probe-{Guid.NewGuid():N}";
        var grain = cluster.Grains.GetGrain<IReminderProbeGrain>(key);
        await grain.StartAsync("tick", Second, Second);
        await grain.StartAsync("tock", TimeSpan.FromHours(1), TimeSpan.FromHours(1));

        Assert.Equal(["tick", "tock"], await grain.ListAsync());
        var rows = await ReminderRowsAsync(grain.GetGrainId());
        Assert.Equal([("tick", 1000L), ("tock", 3_600_000L)], rows.Select(r => (r.Name, r.PeriodMs)));
        Assert.All(rows, r => Assert.Equal(unchecked((int)grain.GetGrainId().GetUniformHashCode()), r.GrainHash));

        await Eventually.TrueAsync(() => ReminderLog.Of(key, "tick").Count >= 2, "the one-second reminder fires twice");
        Assert.All(ReminderLog.Of(key, "tick"), silo => Assert.Equal(cluster.Silo.Address.ToString(), silo));

        Assert.True(await grain.StopAsync("tick"));
        Assert.False(await grain.StopAsync("tick"));
        Assert.Equal(["tock"], await grain.ListAsync());
        Assert.Equal(["tock"], (await ReminderRowsAsync(grain.GetGrainId())).Select(r => r.Name));
    }

    [Fact]
    public async Task The_table_answers_ring_ranges_in_signed_order_and_wrapped()
    {
        var table = cluster.Silo.Services.GetRequiredService<IReminderTable>();
        var grains = Enumerable.Range(0, 200).Select(i => GrainId.Create("ring-probe", $"{Guid.NewGuid():N}-{i}")).ToList();
        var later = DateTime.UtcNow.AddDays(1);    // never fires during the test
        foreach (var g in grains)
            await table.UpsertRow(new ReminderEntry { GrainId = g, ReminderName = "ring", StartAt = later, Period = TimeSpan.FromHours(1) });

        // (begin, end] on the ring of uint hashes; begin = end is the whole ring.
        (uint Begin, uint End)[] ranges =
        [
            (0, 0),                             // whole ring
            (0x1000_0000, 0x7000_0000),         // within the positive signed half
            (0x9000_0000, 0xE000_0000),         // within the negative signed half
            (0x7000_0000, 0x9000_0000),         // across the signed wrap (int.MaxValue to int.MinValue)
            (0xF000_0000, 0x1000_0000),         // across the unsigned wrap (0xFFFFFFFF to 0)
            (0x8000_0000, 0x7FFF_FFFF),         // all but (0x7FFFFFFF, 0x80000000]
        ];
        foreach (var (begin, end) in ranges)
        {
            var expected = grains.Where(g => InRange(g.GetUniformHashCode(), begin, end)).ToHashSet();
            var actual = (await table.ReadRows(begin, end)).Reminders.Where(r => r.ReminderName == "ring").Select(r => r.GrainId).ToHashSet();
            Assert.True(expected.SetEquals(actual), $"range ({begin:X8}, {end:X8}]: expected {expected.Count}, read {actual.Count}");
        }

        static bool InRange(uint hash, uint begin, uint end) =>
            begin == end || unchecked(hash - begin - 1) < unchecked(end - begin);
    }

    [Fact]
    public async Task Upserts_bump_the_ETag_and_a_remove_needs_the_current_one()
    {
        var table = cluster.Silo.Services.GetRequiredService<IReminderTable>();
        var grain = GrainId.Create("etag-probe", Guid.NewGuid().ToString("N"));
        var start = new DateTime(2030, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
        var period = TimeSpan.FromDays(30);    // more milliseconds than an int holds

        var first = await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "r", StartAt = start, Period = period });
        var second = await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "r", StartAt = start, Period = period });
        Assert.NotEqual(first, second);
        await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "other", StartAt = start, Period = period });

        var read = await table.ReadRow(grain, "r");
        Assert.NotNull(read);
        Assert.Equal((grain, "r", start, period, second), (read.GrainId, read.ReminderName, read.StartAt, read.Period, read.ETag));
        Assert.Equal(["other", "r"], (await table.ReadRows(grain)).Reminders.Select(r => r.ReminderName).Order(StringComparer.Ordinal));

        Assert.False(await table.RemoveRow(grain, "r", first!));
        Assert.True(await table.RemoveRow(grain, "r", second!));
        Assert.Null(await table.ReadRow(grain, "r"));
        Assert.False(await table.RemoveRow(grain, "r", second!));
    }

    private sealed record ReminderRow(string Name, long PeriodMs, int GrainHash);

    private async Task<List<ReminderRow>> ReminderRowsAsync(GrainId grain)
    {
        await using var command = cluster.DataSource.CreateCommand(
            "SELECT reminder_name, period_ms, grain_hash FROM orleans_reminder WHERE service_id = $1 AND grain_id = $2 ORDER BY reminder_name");
        command.Parameters.AddWithValue(cluster.Cluster.ServiceId);
        command.Parameters.AddWithValue(grain.ToString());
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<ReminderRow>();
        while (await reader.ReadAsync()) rows.Add(new ReminderRow(reader.GetString(0), reader.GetInt64(1), reader.GetInt32(2)));
        return rows;
    }
}
