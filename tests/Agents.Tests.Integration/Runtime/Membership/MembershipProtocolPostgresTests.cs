using System.Collections.Concurrent;
using System.Net;
using Agents.Abstractions;
using Agents.Runtime.Directory;
using Agents.Runtime.Membership;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Runtime.Membership;

/// <summary>The membership protocol against the real PostgreSQL table and directory, with a fake prober
/// and the background loops off (each test drives the rounds).</summary>
public sealed class MembershipProtocolPostgresTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static CancellationToken None => CancellationToken.None;

    private sealed class Network
    {
        private readonly ConcurrentDictionary<SiloAddress, bool> _up = new();

        public void Up(SiloAddress silo) => _up[silo] = true;

        public void Down(SiloAddress silo) => _up[silo] = false;

        public ISiloProber Prober => new DelegateProber(this);

        private sealed class DelegateProber(Network network) : ISiloProber
        {
            public Task<bool> ProbeAsync(SiloAddress target, CancellationToken cancellationToken) =>
                Task.FromResult(network._up.GetValueOrDefault(target));
        }
    }

    private static MembershipOptions ManualOptions() => new()
    {
        IAmAlivePeriod = Timeout.InfiniteTimeSpan,
        TableRefreshPeriod = Timeout.InfiniteTimeSpan,
        ProbePeriod = Timeout.InfiniteTimeSpan,
        DefunctSiloCleanupPeriod = Timeout.InfiniteTimeSpan,
        UseChangeNotifications = false,
        NumMissedProbesLimit = 3,
    };

    private sealed class Cluster(PostgresDatabase db) : IAsyncDisposable
    {
        public readonly string Id = $"cluster-{Guid.NewGuid():N}";
        public readonly Network Network = new();
        public readonly List<MembershipService> Silos = [];

        public PostgresMembershipTable Table => new(db.DataSource, Id);

        public PostgresGrainDirectoryStore Directory => new(db.DataSource, Id);

        public async Task<MembershipService> StartSiloAsync(SiloAddress address)
        {
            Network.Up(address);
            var silo = new MembershipService(Table, new LocalSiloDetails { Silo = address, SiloName = $"silo-{address.Endpoint.Port}" },
                Network.Prober, ManualOptions(), directory: Directory);
            Silos.Add(silo);
            await silo.StartAsync(None);
            return silo;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var silo in Silos)
                await silo.DisposeAsync();
        }
    }

    private static SiloAddress Address(int port, int generation = 1) => new(new IPEndPoint(IPAddress.Loopback, port), generation);

    [Fact]
    public async Task Three_silos_join_one_stops_answering_and_is_voted_dead_in_round_three_with_its_directory_rows_removed()
    {
        await using var cluster = new Cluster(db);
        var a = await cluster.StartSiloAsync(Address(41001));
        var b = await cluster.StartSiloAsync(Address(41002));
        var victim = await cluster.StartSiloAsync(Address(41003));
        foreach (var silo in cluster.Silos)
        {
            await silo.RefreshAsync(None);
            Assert.Equal(3, silo.CurrentView.ActiveMembers.Count);
        }
        var grains = new List<GrainAddress>();
        for (var i = 0; i < 10; i++)
            grains.Add(await cluster.Directory.RegisterAsync(new GrainAddress(new GrainId("agent", $"g{i}"), i % 2 == 0 ? victim.SiloAddress : a.SiloAddress, Guid.NewGuid()), null, None));

        cluster.Network.Down(victim.SiloAddress);
        var rounds = 0;
        while ((await cluster.Table.ReadRowAsync(victim.SiloAddress, None)).Members.Single().Entry.Status != SiloStatus.Dead)
        {
            Assert.True(rounds < 10, "the unresponsive silo was never declared dead");
            foreach (var silo in new[] { a, b })
            {
                await silo.RefreshAsync(None);
                await silo.HealthMonitor.ProbeOnceAsync(None);
            }
            rounds++;
        }

        Assert.Equal(3, rounds);
        foreach (var grain in grains)
        {
            var expected = grain.Silo == victim.SiloAddress ? null : grain;
            Assert.Equal(expected, await cluster.Directory.LookupAsync(grain.Grain, None));
        }
        await victim.RefreshAsync(None);
        Assert.True(victim.StopRequested.IsCancellationRequested);
    }

    [Fact]
    public async Task Restart_with_a_new_generation_and_graceful_shutdown()
    {
        await using var cluster = new Cluster(db);
        var a = await cluster.StartSiloAsync(Address(42001));
        var old = await cluster.StartSiloAsync(Address(42002));
        cluster.Network.Down(old.SiloAddress);

        var restarted = await cluster.StartSiloAsync(Address(42002, 2));
        var data = await cluster.Table.ReadAllAsync(None);
        Assert.Equal(SiloStatus.Dead, MembershipStatus(data, old.SiloAddress));
        Assert.Equal(SiloStatus.Active, MembershipStatus(data, restarted.SiloAddress));

        await restarted.StopAsync(None);
        Assert.False(restarted.IsDeclaredDead);
        await a.RefreshAsync(None);
        Assert.Equal([a.SiloAddress], a.CurrentView.ActiveMembers.Select(m => m.Silo));
        Assert.Equal(SiloStatus.Dead, a.CurrentView.GetStatus(restarted.SiloAddress));
    }

    [Fact]
    public async Task With_the_loops_running_on_tiny_periods_a_killed_silo_is_found_and_heartbeats_leave_the_version_alone()
    {
        var id = $"cluster-{Guid.NewGuid():N}";
        var network = new Network();
        var options = new MembershipOptions
        {
            IAmAlivePeriod = TimeSpan.FromMilliseconds(50),
            TableRefreshPeriod = TimeSpan.FromMilliseconds(50),
            ProbePeriod = TimeSpan.FromMilliseconds(25),
            ProbeTimeout = TimeSpan.FromMilliseconds(500),
            NumMissedProbesLimit = 2,
        };
        var silos = new List<MembershipService>();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // not a timing assertion
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var address = Address(43001 + i);
                network.Up(address);
                var silo = new MembershipService(new PostgresMembershipTable(db.DataSource, id), new LocalSiloDetails { Silo = address, SiloName = $"s{i}" },
                    network.Prober, options, directory: new PostgresGrainDirectoryStore(db.DataSource, id));
                silos.Add(silo);
                await silo.StartAsync(hangGuard.Token);
            }
            var (a, victim) = (silos[0], silos[2]);
            var table = new PostgresMembershipTable(db.DataSource, id);
            await foreach (var view in a.WatchAsync(hangGuard.Token))
            {
                if (view.ActiveMembers.Count == 3)
                    break;
            }

            // Heartbeats move the I-am-alive time, never the version.
            var before = await table.ReadAllAsync(hangGuard.Token);
            var aliveBefore = before.Members.Single(m => m.Entry.Silo == a.SiloAddress).Entry.IAmAliveTime;
            MembershipTableData after;
            do
            {
                await Task.Delay(10, hangGuard.Token);
                after = await table.ReadAllAsync(hangGuard.Token);
            }
            while (after.Members.Single(m => m.Entry.Silo == a.SiloAddress).Entry.IAmAliveTime == aliveBefore);
            Assert.Equal(before.Version, after.Version);

            var grain = await new PostgresGrainDirectoryStore(db.DataSource, id)
                .RegisterAsync(new GrainAddress(new GrainId("agent", "on-victim"), victim.SiloAddress, Guid.NewGuid()), null, hangGuard.Token);
            network.Down(victim.SiloAddress);
            await victim.DisposeAsync(); // a crash: no table write

            await foreach (var view in a.WatchAsync(hangGuard.Token))
            {
                if (view.GetStatus(victim.SiloAddress) == SiloStatus.Dead)
                    break;
            }
            Assert.Equal(2, a.CurrentView.ActiveMembers.Count);
            Assert.Null(await new PostgresGrainDirectoryStore(db.DataSource, id).LookupAsync(grain.Grain, hangGuard.Token));
        }
        finally
        {
            foreach (var silo in silos)
                await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task Listen_notify_announces_every_committed_change_and_no_heartbeat()
    {
        var id = $"cluster-{Guid.NewGuid():N}";
        var otherId = $"other-{Guid.NewGuid():N}";
        var table = new PostgresMembershipTable(db.DataSource, id);
        var other = new PostgresMembershipTable(db.DataSource, otherId);
        await table.InitializeAsync(None);
        await other.InitializeAsync(None);
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // not a timing assertion

        // A raw listener records every announcement, in commit order.
        await using var listener = await db.DataSource.OpenConnectionAsync(hangGuard.Token);
        var payloads = new List<string>();
        listener.Notification += (_, e) => payloads.Add(e.Payload);
        await using (var listen = new Npgsql.NpgsqlCommand($"LISTEN {PostgresMembershipTable.NotificationChannel}", listener))
            await listen.ExecuteNonQueryAsync(hangGuard.Token);
        await using var subscription = await table.SubscribeAsync(hangGuard.Token);

        var entry = new MembershipEntry
        {
            Silo = Address(44001), Status = SiloStatus.Joining, SiloName = "s", HostName = "h",
            StartTime = DateTimeOffset.UtcNow, IAmAliveTime = DateTimeOffset.UtcNow,
        };
        Assert.True(await other.InsertRowAsync(entry, (await other.ReadAllAsync(None)).Version.Next(), None));
        var stale = (await table.ReadAllAsync(None)).Version.Next();
        Assert.True(await table.InsertRowAsync(entry, stale, None));
        Assert.False(await table.InsertRowAsync(entry with { Silo = Address(44002) }, stale, None)); // lost race: rolled back
        await table.UpdateIAmAliveAsync(entry with { IAmAliveTime = DateTimeOffset.UtcNow }, None); // heartbeat
        var data = await table.ReadAllAsync(None);
        Assert.True(await table.UpdateRowAsync(entry with { Status = SiloStatus.Active }, data.Members[0].ETag, data.Version.Next(), None));
        await using (var marker = db.DataSource.CreateCommand($"NOTIFY {PostgresMembershipTable.NotificationChannel}, 'marker'"))
            await marker.ExecuteNonQueryAsync(hangGuard.Token);

        while (!payloads.Contains("marker"))
            await listener.WaitAsync(hangGuard.Token);
        Assert.Equal([otherId, id, id, "marker"], payloads);

        // The subscription filters by cluster and coalesces: one wait returns for our two changes.
        await subscription.WaitForChangeAsync(hangGuard.Token);
    }

    [Fact]
    public async Task With_no_periodic_refresh_silos_follow_the_table_through_listen_notify()
    {
        await using var cluster = new Cluster(db);
        var options = ManualOptions();
        options.UseChangeNotifications = true;
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // not a timing assertion
        var silos = new List<MembershipService>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var address = Address(45001 + i);
                cluster.Network.Up(address);
                var silo = new MembershipService(cluster.Table, new LocalSiloDetails { Silo = address, SiloName = $"s{i}" }, cluster.Network.Prober, options);
                silos.Add(silo);
                await silo.StartAsync(hangGuard.Token);
            }
            await foreach (var view in silos[0].WatchAsync(hangGuard.Token))
            {
                if (view.ActiveMembers.Count == 3)
                    break;
            }
            Assert.True(await silos[1].TrySuspectOrKillAsync(silos[2].SiloAddress, silos[0].SiloAddress, hangGuard.Token));
            await foreach (var view in silos[0].WatchAsync(hangGuard.Token))
            {
                if (view.GetStatus(silos[2].SiloAddress) == SiloStatus.Dead)
                    break;
            }
            Assert.Equal(2, silos[0].CurrentView.ActiveMembers.Count);
        }
        finally
        {
            foreach (var silo in silos)
                await silo.DisposeAsync();
        }
    }

    private static SiloStatus MembershipStatus(MembershipTableData data, SiloAddress silo) =>
        data.Members.Single(m => m.Entry.Silo == silo).Entry.Status;
}
