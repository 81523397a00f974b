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

    private static SiloStatus MembershipStatus(MembershipTableData data, SiloAddress silo) =>
        data.Members.Single(m => m.Entry.Silo == silo).Entry.Status;
}
