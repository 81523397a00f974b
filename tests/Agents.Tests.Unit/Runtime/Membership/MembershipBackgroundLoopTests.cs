using System.Net;
using Agents.Runtime.Directory;
using Agents.Runtime.Membership;

namespace Agents.Tests.Unit.Runtime.Membership;

/// <summary>The protocol with its background loops running on tiny periods: a killed silo is found.</summary>
public sealed class MembershipBackgroundLoopTests
{
    [Fact]
    public async Task With_the_loops_running_a_killed_silo_is_declared_dead_and_the_others_see_it()
    {
        var table = new InMemoryMembershipTable("loops");
        var directory = new InMemoryGrainDirectoryStore();
        var network = new FakeSiloNetwork();
        var options = new MembershipOptions
        {
            IAmAlivePeriod = TimeSpan.FromMilliseconds(20),
            TableRefreshPeriod = TimeSpan.FromMilliseconds(20),
            ProbePeriod = TimeSpan.FromMilliseconds(10),
            ProbeTimeout = TimeSpan.FromMilliseconds(200),
            NumMissedProbesLimit = 2,
        };
        var silos = new List<MembershipService>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var address = new SiloAddress(new IPEndPoint(IPAddress.Loopback, 31000 + i), 1);
                network.Up(address);
                var silo = new MembershipService(table, new LocalSiloDetails { Silo = address, SiloName = $"s{i}" }, network.ProberFor(address), options, directory: directory);
                silos.Add(silo);
                await silo.StartAsync(CancellationToken.None);
            }
            var (a, b, victim) = (silos[0], silos[1], silos[2]);

            using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // not a timing assertion
            await foreach (var view in a.WatchAsync(hangGuard.Token))
            {
                if (view.ActiveMembers.Count == 3)
                    break;
            }

            var roundsBefore = (a.HealthMonitor.CompletedRounds, b.HealthMonitor.CompletedRounds);
            network.Down(victim.SiloAddress);
            await victim.DisposeAsync(); // a crash: no table write

            await foreach (var view in a.WatchAsync(hangGuard.Token))
            {
                if (view.GetStatus(victim.SiloAddress) == SiloStatus.Dead)
                    break;
            }

            // Declared by the votes of both survivors, each cast in its own probe rounds.
            var dead = (await table.ReadRowAsync(victim.SiloAddress, CancellationToken.None)).Members.Single().Entry;
            Assert.Equal(SiloStatus.Dead, dead.Status);
            Assert.Equal(
                new[] { a.SiloAddress, b.SiloAddress }.Order(SiloAddressOrder.Instance),
                dead.SuspectTimes.Select(v => v.Suspecter).Order(SiloAddressOrder.Instance));
            Assert.True(a.HealthMonitor.CompletedRounds > roundsBefore.Item1);
            Assert.True(b.HealthMonitor.CompletedRounds > roundsBefore.Item2);
            Assert.Equal(2, a.CurrentView.ActiveMembers.Count);
            Assert.False(a.IsDeclaredDead);
            Assert.False(b.IsDeclaredDead);
        }
        finally
        {
            foreach (var silo in silos)
                await silo.DisposeAsync();
        }
    }
}

/// <summary>Tables that announce changes: views follow without any periodic refresh.</summary>
public sealed class MembershipChangeFeedTests
{
    [Fact]
    public async Task With_no_periodic_refresh_every_silo_sees_a_join_and_a_graceful_leave_through_the_change_feed()
    {
        var table = new InMemoryMembershipTable("feed");
        var network = new FakeSiloNetwork();
        var options = new MembershipOptions
        {
            IAmAlivePeriod = Timeout.InfiniteTimeSpan,
            TableRefreshPeriod = Timeout.InfiniteTimeSpan,
            ProbePeriod = Timeout.InfiniteTimeSpan,
            DefunctSiloCleanupPeriod = Timeout.InfiniteTimeSpan,
        };
        var silos = new List<MembershipService>();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // not a timing assertion
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var address = new SiloAddress(new IPEndPoint(IPAddress.Loopback, 32000 + i), 1);
                network.Up(address);
                var silo = new MembershipService(table, new LocalSiloDetails { Silo = address, SiloName = $"s{i}" }, network.ProberFor(address), options);
                silos.Add(silo);
                await silo.StartAsync(hangGuard.Token);
            }

            // The first silo never refreshes by itself; the feed brings it the two later joins.
            await foreach (var view in silos[0].WatchAsync(hangGuard.Token))
            {
                if (view.ActiveMembers.Count == 3)
                    break;
            }

            await silos[2].StopAsync(hangGuard.Token);
            await foreach (var view in silos[0].WatchAsync(hangGuard.Token))
            {
                if (view.GetStatus(silos[2].SiloAddress) == SiloStatus.Dead)
                    break;
            }
            Assert.Equal(2, silos[0].CurrentView.ActiveMembers.Count);
            Assert.Equal((await table.ReadAllAsync(hangGuard.Token)).Version.Version, silos[0].CurrentView.Version);
        }
        finally
        {
            foreach (var silo in silos)
                await silo.DisposeAsync();
        }
    }
}
