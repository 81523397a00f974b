using System.Net;
using Agents.Tests.Integration.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace Agents.Tests.Integration.Platform;

/// <summary>
/// The clustering contract row by row: Orleans' own ADO.NET membership table and gateway list
/// provider, driven directly against our schema (0051), as the membership protocol drives them.
/// </summary>
public sealed class OrleansMembershipTableTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    // Times with whole milliseconds: what Orleans writes (the suspicion votes' text keeps milliseconds).
    private static readonly DateTime T0 = new(2026, 3, 1, 12, 0, 0, 250, DateTimeKind.Utc);

    /// <summary>The providers' connections run in a session time zone far from UTC: a timestamp bound
    /// or read as local time would show up as hours of difference.</summary>
    private string ProviderConnectionString =>
        new NpgsqlConnectionStringBuilder(db.ConnectionString) { Timezone = "Asia/Kolkata" }.ConnectionString;

    private AdoNetClusteringTable Table(string clusterId) => new(
        new ServiceCollection().BuildServiceProvider(),
        Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "membership-tests" }),
        Options.Create(new AdoNetClusteringSiloOptions { Invariant = OrleansOnPostgres.Invariant, ConnectionString = ProviderConnectionString }),
        NullLogger<AdoNetClusteringTable>.Instance);

    private static MembershipEntry Entry(int port, SiloStatus status, DateTime? startTime = null, DateTime? iAmAlive = null, int proxyPort = 0) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 1000 + port),
        SiloName = $"silo-{port}",
        HostName = "test-host",
        Status = status,
        ProxyPort = proxyPort,
        StartTime = startTime ?? T0,
        IAmAliveTime = iAmAlive ?? T0,
    };

    private static string NewClusterId() => $"cluster-{Guid.NewGuid():N}";

    [Fact]
    public async Task Membership_changes_are_compare_and_swap_on_the_version_row()
    {
        var clusterId = NewClusterId();
        var table = Table(clusterId);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        await Table(clusterId).InitializeMembershipTableAsync(tryInitTableVersion: true);   // a second silo: no error, still one row

        var empty = await table.ReadAllAsync();
        Assert.Empty(empty.Members);
        Assert.Equal(0, empty.Version.Version);

        // Orleans writes at Next() of the version it read; the ETag it sends is the version read.
        var first = Entry(11001, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(first, empty.Version.Next()));
        Assert.False(await table.InsertRowAsync(Entry(11002, SiloStatus.Joining), empty.Version.Next()));   // stale: nothing written
        var one = await table.ReadAllAsync();
        Assert.Equal(1, one.Version.Version);
        Assert.Equal(first.SiloAddress, Assert.Single(one.Members).Item1.SiloAddress);
        Assert.False(await table.InsertRowAsync(first, one.Version.Next()));      // the same incarnation again: refused,
        Assert.Equal(1, (await table.ReadAllAsync()).Version.Version);             // and the version did not move

        var second = Entry(11002, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(second, one.Version.Next()));
        var two = await table.ReadAllAsync();
        Assert.Equal(2, two.Version.Version);

        // An update with suspicion votes, at the current version; then the same at the old one fails.
        var active = Entry(11001, SiloStatus.Active, iAmAlive: T0.AddSeconds(5));
        active.AddSuspector(second.SiloAddress, T0.AddSeconds(3));
        active.AddSuspector(SiloAddress.New(IPAddress.Loopback, 11003, 7), T0.AddSeconds(4));
        var etag = two.Members.Single(m => m.Item1.SiloAddress.Equals(first.SiloAddress)).Item2;   // the row's ETag: the version read
        Assert.True(await table.UpdateRowAsync(active, etag, two.Version.Next()));
        Assert.False(await table.UpdateRowAsync(Entry(11001, SiloStatus.Dead), etag, two.Version.Next()));

        var row = await table.ReadRowAsync(first.SiloAddress);
        Assert.Equal(3, row.Version.Version);
        var read = Assert.Single(row.Members).Item1;
        Assert.Equal(SiloStatus.Active, read.Status);
        Assert.Equal(active.SiloName, read.SiloName);
        Assert.Equal(active.HostName, read.HostName);
        Assert.Equal(T0, read.StartTime);
        Assert.Equal(T0.AddSeconds(5), read.IAmAliveTime);
        Assert.Equal(active.SuspectTimes!.Select(s => (s.Item1, s.Item2)), read.SuspectTimes!.Select(s => (s.Item1, s.Item2)));

        // A silo not in the table: no member, but the version is there to write at.
        var unknown = await table.ReadRowAsync(Entry(11009, SiloStatus.Active).SiloAddress);
        Assert.Empty(unknown.Members);
        Assert.Equal(3, unknown.Version.Version);

        // The heartbeat changes the row's time and nothing else: no version bump.
        await table.UpdateIAmAliveAsync(Entry(11001, SiloStatus.Active, iAmAlive: T0.AddMinutes(1)));
        row = await table.ReadRowAsync(first.SiloAddress);
        Assert.Equal(3, row.Version.Version);
        Assert.Equal(T0.AddMinutes(1), row.Members[0].Item1.IAmAliveTime);
        Assert.Equal(SiloStatus.Active, row.Members[0].Item1.Status);

        // The timestamps are stored as the instants Orleans meant, whatever the session's time zone.
        await using var check = db.DataSource.CreateCommand(
            "SELECT start_time = $1 AND i_am_alive_time = $2 FROM orleans_membership_silo WHERE cluster_id = $3 AND port = 11001");
        check.Parameters.AddWithValue(T0);
        check.Parameters.AddWithValue(T0.AddMinutes(1));
        check.Parameters.AddWithValue(clusterId);
        Assert.True((bool)(await check.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Writers_racing_at_one_version_have_exactly_one_winner()
    {
        var table = Table(NewClusterId());
        await table.InitializeMembershipTableAsync(true);
        var version = (await table.ReadAllAsync()).Version;

        var inserts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => table.InsertRowAsync(Entry(12000 + i, SiloStatus.Joining), version.Next())));
        Assert.Single(inserts, won => won);
        var after = await table.ReadAllAsync();
        Assert.Single(after.Members);
        Assert.Equal(1, after.Version.Version);

        var updates = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            table.UpdateRowAsync(Entry(after.Members[0].Item1.SiloAddress.Endpoint.Port, SiloStatus.Active), after.Members[0].Item2, after.Version.Next())));
        Assert.Single(updates, won => won);
        Assert.Equal(2, (await table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task Clean_up_deletes_only_silos_dead_before_the_cut_off()
    {
        var clusterId = NewClusterId();
        var table = Table(clusterId);
        await table.InitializeMembershipTableAsync(true);
        var old = T0.AddDays(-10);
        var cutoff = new DateTimeOffset(T0.AddDays(-7));
        await InsertAllAsync(table,
            Entry(13001, SiloStatus.Dead, old, old),                         // long dead: goes
            Entry(13002, SiloStatus.Dead, old, T0),                          // dead, but alive after the cut-off
            Entry(13003, SiloStatus.Active, old, old),                       // active: never cleaned up
            Entry(13004, SiloStatus.Joining, old, old));                     // never got going
        // An old suspicion vote on the long-dead silo: the per-row delete must match its text as stored.
        var withVote = Entry(13001, SiloStatus.Dead, old, old);
        withVote.AddSuspector(Entry(13003, SiloStatus.Active).SiloAddress, old.AddSeconds(1));
        var current = await table.ReadAllAsync();
        Assert.True(await table.UpdateRowAsync(withVote, current.Version.VersionEtag, current.Version.Next()));

        // Orleans 10.4 deletes row by row through CleanupDefunctSiloEntryKey: Dead rows only.
        await table.CleanupDefunctSiloEntriesAsync(cutoff);
        Assert.Equal([13002, 13003, 13004], await PortsAsync(clusterId));

        // The bulk CleanupDefunctSiloEntriesKey (used without the per-row key) also takes every row
        // that is not Active and has not sent a heartbeat since the cut-off.
        await using (var hide = db.DataSource.CreateCommand(
            "UPDATE orleansquery SET querykey = 'CleanupDefunctSiloEntryKey-hidden' WHERE querykey = 'CleanupDefunctSiloEntryKey'"))
            await hide.ExecuteNonQueryAsync();
        try
        {
            var bulk = Table(clusterId);
            await bulk.InitializeMembershipTableAsync(false);
            await bulk.CleanupDefunctSiloEntriesAsync(cutoff);
            Assert.Equal([13002, 13003], await PortsAsync(clusterId));
        }
        finally
        {
            await using var restore = db.DataSource.CreateCommand(
                "UPDATE orleansquery SET querykey = 'CleanupDefunctSiloEntryKey' WHERE querykey = 'CleanupDefunctSiloEntryKey-hidden'");
            await restore.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_client_is_offered_the_active_silos_that_have_a_gateway()
    {
        var clusterId = NewClusterId();
        var table = Table(clusterId);
        await table.InitializeMembershipTableAsync(true);
        var gateway = Entry(14001, SiloStatus.Active, proxyPort: 24001);
        await InsertAllAsync(table,
            gateway,
            Entry(14002, SiloStatus.Active),                                 // takes no clients
            Entry(14003, SiloStatus.Joining, proxyPort: 24003),
            Entry(14004, SiloStatus.Dead, proxyPort: 24004));

        var provider = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new AdoNetClusteringClientOptions { Invariant = OrleansOnPostgres.Invariant, ConnectionString = ProviderConnectionString }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "membership-tests" }));
        await provider.InitializeGatewayListProvider();

        var uri = Assert.Single(await provider.GetGateways());
        Assert.Equal(24001, uri.Port);
        Assert.Equal(IPAddress.Loopback.ToString(), uri.Host);
        Assert.EndsWith($"/{gateway.SiloAddress.Generation}", uri.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_cluster_removes_its_rows_and_no_other_cluster_s()
    {
        var (gone, kept) = (NewClusterId(), NewClusterId());
        foreach (var id in new[] { gone, kept })
        {
            var t = Table(id);
            await t.InitializeMembershipTableAsync(true);
            await InsertAllAsync(t, Entry(15001, SiloStatus.Active));
        }

        var deleting = Table(gone);
        await deleting.InitializeMembershipTableAsync(false);
        await deleting.DeleteMembershipTableEntriesAsync(gone);

        Assert.Empty(await PortsAsync(gone));
        Assert.Equal([15001], await PortsAsync(kept));
        await using var versions = db.DataSource.CreateCommand("SELECT count(*) FROM orleans_membership_version WHERE cluster_id = $1");
        versions.Parameters.AddWithValue(gone);
        Assert.Equal(0L, (long)(await versions.ExecuteScalarAsync())!);
    }

    private static async Task InsertAllAsync(AdoNetClusteringTable table, params MembershipEntry[] entries)
    {
        foreach (var entry in entries)
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
    }

    private async Task<List<int>> PortsAsync(string clusterId)
    {
        await using var command = db.DataSource.CreateCommand("SELECT port FROM orleans_membership_silo WHERE cluster_id = $1 ORDER BY port");
        command.Parameters.AddWithValue(clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var ports = new List<int>();
        while (await reader.ReadAsync()) ports.Add(reader.GetInt32(0));
        return ports;
    }
}
