using System.Net;
using Agents.Abstractions;
using Agents.Runtime.Directory;
using Agents.Runtime.Membership;

namespace Agents.Tests.Unit.Runtime.Membership;

/// <summary>
/// The membership protocol against the in-memory table with a fake prober. Background loops are off
/// (infinite periods); each test drives refreshes and probe rounds itself and counts rounds.
/// </summary>
public sealed class MembershipProtocolTests : IAsyncDisposable
{
    private readonly InMemoryMembershipTable _table = new("test");
    private readonly InMemoryGrainDirectoryStore _directory = new();
    private readonly FakeSiloNetwork _network = new();
    private readonly List<MembershipService> _silos = [];
    private static int s_port = 20000;

    private static CancellationToken None => CancellationToken.None;

    private static MembershipOptions ManualOptions() => new()
    {
        IAmAlivePeriod = Timeout.InfiniteTimeSpan,
        TableRefreshPeriod = Timeout.InfiniteTimeSpan,
        ProbePeriod = Timeout.InfiniteTimeSpan,
        DefunctSiloCleanupPeriod = Timeout.InfiniteTimeSpan,
        UseChangeNotifications = false,
        ProbeTimeout = TimeSpan.FromSeconds(5),
        NumMissedProbesLimit = 3,
        NumProbedSilos = 3,
        NumVotesForDeathDeclaration = 2,
    };

    private static SiloAddress NewAddress() => new(new IPEndPoint(IPAddress.Loopback, Interlocked.Increment(ref s_port)), 1);

    private MembershipService CreateSilo(SiloAddress? address = null, MembershipOptions? options = null, string[]? roles = null, TimeProvider? time = null)
    {
        address ??= NewAddress();
        var silo = new MembershipService(
            _table,
            new LocalSiloDetails { Silo = address, SiloName = $"silo-{address.Endpoint.Port}", GatewayPort = address.Endpoint.Port + 1000, Roles = roles ?? [] },
            _network.ProberFor(address),
            options ?? ManualOptions(),
            directory: _directory,
            timeProvider: time);
        _silos.Add(silo);
        _network.Up(address);
        return silo;
    }

    private async Task<MembershipService[]> StartSilosAsync(int count, MembershipOptions? options = null, TimeProvider? time = null)
    {
        var silos = new MembershipService[count];
        for (var i = 0; i < count; i++)
        {
            silos[i] = CreateSilo(options: options, roles: i == 0 ? ["gpu"] : [], time: time);
            await silos[i].StartAsync(None);
        }
        foreach (var silo in silos)
            await silo.RefreshAsync(None);
        return silos;
    }

    private async Task<SiloStatus> StatusInTableAsync(SiloAddress silo) =>
        (await _table.ReadRowAsync(silo, None)).Members.Single().Entry.Status;

    /// <summary>One protocol round on each silo: read the table, then probe.</summary>
    private static async Task RoundAsync(IEnumerable<MembershipService> silos)
    {
        foreach (var silo in silos)
        {
            await silo.RefreshAsync(None);
            await silo.HealthMonitor.ProbeOnceAsync(None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
            await silo.DisposeAsync();
    }

    [Fact]
    public async Task Three_silos_join_and_all_see_three_active_with_roles_and_gateways()
    {
        var silos = await StartSilosAsync(3);

        foreach (var silo in silos)
        {
            Assert.Equal(SiloStatus.Active, silo.LocalStatus);
            var view = silo.CurrentView;
            Assert.Equal(silos.Select(s => s.SiloAddress).Order(SiloAddressOrder.Instance), view.ActiveMembers.Select(m => m.Silo));
            Assert.Equal([silos[0].SiloAddress], view.ActiveWithRole("gpu").Select(m => m.Silo));
            Assert.Equal(3, view.Gateways.Count());
        }
        // Every join and every status change was one compare-and-swap: 3 inserts + 3 Active writes.
        Assert.Equal(6, (await _table.ReadAllAsync(None)).Version.Version);
    }

    [Fact]
    public async Task A_silo_that_stops_answering_is_voted_dead_in_the_round_its_misses_reach_the_limit()
    {
        var silos = await StartSilosAsync(3);
        var (a, b, victim) = (silos[0], silos[1], silos[2]);
        var victimGrains = new List<GrainAddress>();
        for (var i = 0; i < 5; i++)
            victimGrains.Add(await _directory.RegisterAsync(new GrainAddress(new GrainId("agent", $"v{i}"), victim.SiloAddress, Guid.NewGuid()), null, None));
        var survivor = await _directory.RegisterAsync(new GrainAddress(new GrainId("agent", "a"), a.SiloAddress, Guid.NewGuid()), null, None);

        var diedAsSeenByA = new List<SiloAddress>();
        a.SilosDied += died => diedAsSeenByA.AddRange(died);
        _network.Down(victim.SiloAddress);
        var rounds = 0;
        while (await StatusInTableAsync(victim.SiloAddress) != SiloStatus.Dead)
        {
            Assert.True(rounds < 10, "the unresponsive silo was never declared dead");
            await RoundAsync([a, b]);
            rounds++;
        }

        // Misses 1 and 2 change nothing; in round 3 the first silo votes and the second's vote kills.
        Assert.Equal(3, rounds);
        var dead = (await _table.ReadRowAsync(victim.SiloAddress, None)).Members.Single().Entry;
        Assert.Equal(new[] { a.SiloAddress, b.SiloAddress }.Order(SiloAddressOrder.Instance), dead.SuspectTimes.Select(v => v.Suspecter).Order(SiloAddressOrder.Instance));

        foreach (var grain in victimGrains)
            Assert.Null(await _directory.LookupAsync(grain.Grain, None));
        Assert.Equal(survivor, await _directory.LookupAsync(survivor.Grain, None));

        await a.RefreshAsync(None);
        Assert.Equal([victim.SiloAddress], diedAsSeenByA);
        Assert.Equal(2, a.CurrentView.ActiveMembers.Count);
        Assert.Equal(a.CurrentView.ActiveMembers.Select(m => m.Silo), a.CurrentView.ActiveEntries.Select(e => e.Silo));
        Assert.Equal(SiloStatus.Dead, a.CurrentView.GetStatus(victim.SiloAddress));

        // The victim, alive after all, reads itself dead and is told to stop.
        Assert.False(victim.StopRequested.IsCancellationRequested);
        await victim.RefreshAsync(None);
        Assert.True(victim.StopRequested.IsCancellationRequested);
        Assert.Equal(SiloStatus.Dead, victim.LocalStatus);
    }

    [Fact]
    public async Task A_silo_reachable_through_another_is_not_voted_against()
    {
        var silos = await StartSilosAsync(3);
        var (a, b, c) = (silos[0], silos[1], silos[2]);
        _network.Cut(a.SiloAddress, c.SiloAddress);

        for (var round = 0; round < 6; round++)
            await RoundAsync([a, b, c]);

        Assert.True(a.HealthMonitor.MonitoredSilos[c.SiloAddress] >= 3);
        var entry = (await _table.ReadRowAsync(c.SiloAddress, None)).Members.Single().Entry;
        Assert.Equal(SiloStatus.Active, entry.Status);
        Assert.Empty(entry.SuspectTimes);
    }

    [Fact]
    public async Task Expired_votes_do_not_count()
    {
        var time = new ManualTimeProvider();
        var options = ManualOptions();
        options.DeathVoteExpiration = TimeSpan.FromMinutes(2);
        var silos = await StartSilosAsync(5, options, time); // 5 active: 2 votes needed
        var target = silos[4].SiloAddress;

        Assert.False(await silos[0].TrySuspectOrKillAsync(target, null, None));
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.False(await silos[1].TrySuspectOrKillAsync(target, null, None));
        var entry = (await _table.ReadRowAsync(target, None)).Members.Single().Entry;
        Assert.Equal(SiloStatus.Active, entry.Status);
        Assert.Equal([silos[1].SiloAddress], entry.SuspectTimes.Select(v => v.Suspecter));

        Assert.True(await silos[2].TrySuspectOrKillAsync(target, null, None));
        Assert.Equal(SiloStatus.Dead, await StatusInTableAsync(target));
    }

    [Fact]
    public async Task In_a_two_silo_cluster_one_vote_suffices()
    {
        var silos = await StartSilosAsync(2);
        Assert.True(await silos[0].TrySuspectOrKillAsync(silos[1].SiloAddress, null, None));
        Assert.Equal(SiloStatus.Dead, await StatusInTableAsync(silos[1].SiloAddress));
    }

    [Fact]
    public async Task A_restart_with_a_new_generation_declares_the_old_one_dead_and_the_old_one_stops()
    {
        var silos = await StartSilosAsync(3);
        var old = silos[2];
        _network.Down(old.SiloAddress); // crashed, not yet detected

        var restarted = CreateSilo(old.SiloAddress with { Generation = old.SiloAddress.Generation + 1 });
        await restarted.StartAsync(None);

        Assert.Equal(SiloStatus.Dead, await StatusInTableAsync(old.SiloAddress));
        Assert.Equal(SiloStatus.Active, restarted.LocalStatus);
        Assert.Equal(3, restarted.CurrentView.ActiveMembers.Count);
        Assert.Equal(SiloStatus.Dead, restarted.CurrentView.GetStatus(old.SiloAddress));

        await old.RefreshAsync(None);
        Assert.True(old.IsDeclaredDead);
        Assert.False(restarted.IsDeclaredDead);
    }

    [Fact]
    public async Task A_silo_that_reads_a_newer_incarnation_of_itself_stops_even_before_it_is_declared_dead()
    {
        var old = CreateSilo();
        await old.StartAsync(None);
        // A newer incarnation wrote its row but has not yet declared the old one dead.
        var read = await _table.ReadAllAsync(None);
        Assert.True(await _table.InsertRowAsync(new MembershipEntry
        {
            Silo = old.SiloAddress with { Generation = 2 },
            Status = SiloStatus.Joining,
            SiloName = "newer",
            HostName = "host",
            StartTime = DateTimeOffset.UtcNow,
            IAmAliveTime = DateTimeOffset.UtcNow,
        }, read.Version.Next(), None));

        await old.RefreshAsync(None);
        Assert.True(old.StopRequested.IsCancellationRequested);
        Assert.True(old.CurrentView.IsDead(old.SiloAddress)); // superseded counts as dead
    }

    [Fact]
    public async Task Graceful_shutdown_goes_shutting_down_then_dead_and_removes_its_directory_rows()
    {
        var silos = await StartSilosAsync(3);
        var leaving = silos[1];
        var grain = await _directory.RegisterAsync(new GrainAddress(new GrainId("agent", "x"), leaving.SiloAddress, Guid.NewGuid()), null, None);

        await leaving.BeginShutdownAsync(None);
        Assert.Equal(SiloStatus.ShuttingDown, await StatusInTableAsync(leaving.SiloAddress));
        await silos[0].RefreshAsync(None);
        Assert.Equal(2, silos[0].CurrentView.ActiveMembers.Count);

        await leaving.StopAsync(None);
        Assert.Equal(SiloStatus.Dead, await StatusInTableAsync(leaving.SiloAddress));
        Assert.False(leaving.StopRequested.IsCancellationRequested); // a graceful stop is not a death sentence
        Assert.Null(await _directory.LookupAsync(grain.Grain, None));

        await silos[0].RefreshAsync(None);
        Assert.Equal(SiloStatus.Dead, silos[0].CurrentView.GetStatus(leaving.SiloAddress));
    }

    [Fact]
    public async Task A_silo_that_cannot_reach_an_active_silo_fails_to_join_with_a_clear_error_and_leaves_a_dead_row()
    {
        var silos = await StartSilosAsync(1);
        _network.Down(silos[0].SiloAddress);
        var options = ManualOptions();
        options.ProbeTimeout = TimeSpan.FromMilliseconds(20);
        options.MaxJoinAttemptTime = TimeSpan.FromMilliseconds(50);
        var joiner = CreateSilo(options: options);

        var error = await Assert.ThrowsAsync<MembershipJoinException>(() => joiner.StartAsync(None));
        Assert.Contains(silos[0].SiloAddress.ToString(), error.Message);
        Assert.Equal(SiloStatus.Dead, await StatusInTableAsync(joiner.SiloAddress));
    }

    [Fact]
    public async Task Joining_twice_with_one_generation_is_refused()
    {
        var address = NewAddress();
        await CreateSilo(address).StartAsync(None);
        var twin = CreateSilo(address);
        var error = await Assert.ThrowsAsync<MembershipJoinException>(() => twin.StartAsync(None));
        Assert.Contains("generation", error.Message);
    }

    [Fact]
    public async Task A_silo_whose_row_was_removed_stops_on_its_next_heartbeat()
    {
        var silos = await StartSilosAsync(2);
        await _table.DeleteClusterAsync(None);
        await _table.InitializeAsync(None);

        await silos[0].HeartbeatAsync(None);
        Assert.True(silos[0].IsDeclaredDead);
    }

    [Fact]
    public async Task Heartbeats_do_not_publish_a_new_view()
    {
        var silos = await StartSilosAsync(2);
        var version = silos[0].CurrentView.Version;
        await silos[0].HeartbeatAsync(None);
        await silos[1].HeartbeatAsync(None);
        await silos[0].RefreshAsync(None);
        Assert.Equal(version, silos[0].CurrentView.Version);
    }

    [Fact]
    public async Task Watchers_receive_the_current_view_then_each_change()
    {
        var silos = await StartSilosAsync(2);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a hang guard, not a timing assertion
        await using var views = silos[0].WatchAsync(cancellation.Token).GetAsyncEnumerator();

        Assert.True(await views.MoveNextAsync());
        Assert.Equal(2, views.Current.ActiveMembers.Count);

        var third = CreateSilo();
        await third.StartAsync(None);
        await silos[0].RefreshAsync(None);
        Assert.True(await views.MoveNextAsync());
        Assert.Equal(3, views.Current.ActiveMembers.Count);
    }

    [Fact]
    public void Bad_options_are_rejected_naming_the_setting()
    {
        var options = ManualOptions();
        options.NumMissedProbesLimit = 0;
        var error = Assert.Throws<ArgumentException>(() => CreateSilo(options: options));
        Assert.Contains(nameof(MembershipOptions.NumMissedProbesLimit), error.Message);

        options = ManualOptions();
        options.ProbePeriod = TimeSpan.Zero;
        error = Assert.Throws<ArgumentException>(() => CreateSilo(options: options));
        Assert.Contains(nameof(MembershipOptions.ProbePeriod), error.Message);
    }
}

/// <summary>Clean-up duties and contention: rows stuck joining, defunct rows, many simultaneous voters.</summary>
public sealed class MembershipHousekeepingTests
{
    private static CancellationToken None => CancellationToken.None;

    private static MembershipOptions ManualOptions() => new()
    {
        IAmAlivePeriod = Timeout.InfiniteTimeSpan,
        TableRefreshPeriod = Timeout.InfiniteTimeSpan,
        ProbePeriod = Timeout.InfiniteTimeSpan,
        DefunctSiloCleanupPeriod = Timeout.InfiniteTimeSpan,
        UseChangeNotifications = false,
        MaxJoinAttemptTime = TimeSpan.FromMinutes(5),
        DefunctSiloExpiration = TimeSpan.FromDays(7),
    };

    private static async Task<MembershipService[]> StartAsync(InMemoryMembershipTable table, FakeSiloNetwork network, int count, int firstPort, TimeProvider? time = null)
    {
        var silos = new MembershipService[count];
        for (var i = 0; i < count; i++)
        {
            var address = new SiloAddress(new IPEndPoint(IPAddress.Loopback, firstPort + i), 1);
            network.Up(address);
            silos[i] = new MembershipService(table, new LocalSiloDetails { Silo = address, SiloName = $"s{i}" }, network.ProberFor(address), ManualOptions(), timeProvider: time);
            await silos[i].StartAsync(None);
        }
        foreach (var silo in silos)
            await silo.RefreshAsync(None);
        return silos;
    }

    [Fact]
    public async Task A_row_stuck_joining_past_the_join_time_is_declared_dead_by_a_probing_silo()
    {
        var time = new ManualTimeProvider();
        var table = new InMemoryMembershipTable("stuck");
        var silos = await StartAsync(table, new FakeSiloNetwork(), 1, 35000, time);
        var stuck = new SiloAddress(new IPEndPoint(IPAddress.Loopback, 35099), 1);
        var read = await table.ReadAllAsync(None);
        Assert.True(await table.InsertRowAsync(new MembershipEntry
        {
            Silo = stuck, Status = SiloStatus.Joining, SiloName = "stuck", HostName = "h",
            StartTime = time.GetUtcNow(), IAmAliveTime = time.GetUtcNow(),
        }, read.Version.Next(), None));

        await silos[0].RefreshAsync(None);
        await silos[0].HealthMonitor.ProbeOnceAsync(None);
        Assert.Equal(SiloStatus.Joining, (await table.ReadRowAsync(stuck, None)).Members.Single().Entry.Status);

        time.Advance(TimeSpan.FromMinutes(6));
        await silos[0].HealthMonitor.ProbeOnceAsync(None);
        Assert.Equal(SiloStatus.Dead, (await table.ReadRowAsync(stuck, None)).Members.Single().Entry.Status);
        await silos[0].DisposeAsync();
    }

    [Fact]
    public async Task Defunct_clean_up_removes_long_dead_rows_only()
    {
        var time = new ManualTimeProvider();
        var table = new InMemoryMembershipTable("defunct");
        var silos = await StartAsync(table, new FakeSiloNetwork(), 3, 36000, time);
        await silos[2].StopAsync(None);

        await silos[0].CleanupDefunctSilosAsync(None);
        Assert.Equal(3, (await table.ReadAllAsync(None)).Members.Count);

        time.Advance(TimeSpan.FromDays(8));
        await silos[0].HeartbeatAsync(None);
        await silos[1].HeartbeatAsync(None);
        await silos[0].CleanupDefunctSilosAsync(None);
        var left = (await table.ReadAllAsync(None)).Members.Select(m => m.Entry.Silo).Order(SiloAddressOrder.Instance);
        Assert.Equal([silos[0].SiloAddress, silos[1].SiloAddress], left);
        foreach (var silo in silos)
            await silo.DisposeAsync();
    }

    [Fact]
    public async Task Many_silos_voting_at_once_declare_the_target_dead_exactly_once()
    {
        var table = new InMemoryMembershipTable("votes");
        var silos = await StartAsync(table, new FakeSiloNetwork(), 7, 37000);
        var target = silos[6].SiloAddress;
        var before = (await table.ReadAllAsync(None)).Version.Version;

        var results = await Task.WhenAll(silos[..6].Select(s => Task.Run(() => s.TrySuspectOrKillAsync(target, null, None))));

        var entry = (await table.ReadRowAsync(target, None)).Members.Single().Entry;
        Assert.Equal(SiloStatus.Dead, entry.Status);
        Assert.Contains(true, results);
        // 7 active silos need 2 votes: one vote write and one death write, however the race went.
        var after = (await table.ReadAllAsync(None)).Version.Version;
        Assert.Equal(before + 2, after);
        foreach (var silo in silos)
            await silo.DisposeAsync();
    }
}
