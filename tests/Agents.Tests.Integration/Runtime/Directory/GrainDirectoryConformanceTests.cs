using System.Net;
using Agents.Abstractions;
using Agents.Runtime.Directory;
using Agents.Runtime.Membership;

namespace Agents.Tests.Integration.Runtime.Directory;

/// <summary>The contract every <see cref="IGrainDirectoryStore"/> keeps, run against the in-memory and the
/// PostgreSQL store. Each test uses its own cluster id.</summary>
public abstract class GrainDirectoryConformanceTests
{
    private static int s_generation;

    protected abstract IGrainDirectoryStore CreateStore(string clusterId);

    private IGrainDirectoryStore NewCluster() => CreateStore($"cluster-{Guid.NewGuid():N}");

    private static CancellationToken None => CancellationToken.None;

    private static SiloAddress NewSilo(int port) => new(new IPEndPoint(IPAddress.Loopback, port), Interlocked.Increment(ref s_generation));

    private static GrainAddress At(GrainId grain, SiloAddress silo) => new(grain, silo, Guid.NewGuid());

    private static GrainId NewGrain() => new("agent", $"a/{Guid.NewGuid():N}"); // a key may hold '/'

    [Fact]
    public async Task Register_then_lookup_returns_the_registration()
    {
        var store = NewCluster();
        var grain = NewGrain();
        Assert.Null(await store.LookupAsync(grain, None));

        var address = At(grain, NewSilo(1));
        Assert.Equal(address, await store.RegisterAsync(address, null, None));
        Assert.Equal(address, await store.LookupAsync(grain, None));
    }

    [Fact]
    public async Task First_writer_wins_under_50_concurrent_registrations()
    {
        var store = NewCluster();
        var grain = NewGrain();
        var candidates = Enumerable.Range(0, 50).Select(i => At(grain, NewSilo(1000 + i % 3))).ToArray();

        var results = await Task.WhenAll(candidates.Select(c => Task.Run(() => store.RegisterAsync(c, null, None))));

        var winner = Assert.Single(results.Distinct());
        Assert.Contains(winner, candidates);
        Assert.Equal(winner, await store.LookupAsync(grain, None));
    }

    [Fact]
    public async Task A_known_dead_registration_is_replaced_atomically_and_only_once()
    {
        var store = NewCluster();
        var grain = NewGrain();
        var dead = At(grain, NewSilo(1));
        await store.RegisterAsync(dead, null, None);

        // Without naming the dead one, a newcomer gets the standing registration.
        var newcomer = At(grain, NewSilo(2));
        Assert.Equal(dead, await store.RegisterAsync(newcomer, null, None));

        // Two silos race to replace the dead registration: one wins, the other sees the winner.
        var first = At(grain, NewSilo(3));
        var second = At(grain, NewSilo(4));
        var results = await Task.WhenAll(
            Task.Run(() => store.RegisterAsync(first, dead, None)),
            Task.Run(() => store.RegisterAsync(second, dead, None)));
        var winner = Assert.Single(results.Distinct());
        Assert.True(winner == first || winner == second);
        Assert.Equal(winner, await store.LookupAsync(grain, None));
    }

    [Fact]
    public async Task Naming_a_previous_registration_of_another_grain_is_rejected()
    {
        var store = NewCluster();
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            store.RegisterAsync(At(NewGrain(), NewSilo(1)), At(NewGrain(), NewSilo(1)), None));
        Assert.Contains("not", error.Message);

        var ambiguous = await Assert.ThrowsAsync<ArgumentException>(() =>
            store.RegisterAsync(At(new GrainId("a/b", "c"), NewSilo(1)), null, None));
        Assert.Contains("a/b", ambiguous.Message);
    }

    [Fact]
    public async Task Unregister_removes_only_the_same_registration()
    {
        var store = NewCluster();
        var grain = NewGrain();
        var address = At(grain, NewSilo(1));
        await store.RegisterAsync(address, null, None);

        await store.UnregisterAsync(address with { ActivationId = Guid.NewGuid() }, None);
        await store.UnregisterAsync(address with { Silo = NewSilo(1) }, None);
        Assert.Equal(address, await store.LookupAsync(grain, None));

        await store.UnregisterAsync(address, None);
        Assert.Null(await store.LookupAsync(grain, None));

        // Then anyone may register again.
        var next = At(grain, NewSilo(2));
        Assert.Equal(next, await store.RegisterAsync(next, null, None));
    }

    [Fact]
    public async Task Unregister_silos_removes_every_registration_of_those_silos_and_nothing_else()
    {
        var store = NewCluster();
        var deadA = NewSilo(1);
        var deadB = NewSilo(2);
        var alive = NewSilo(3);
        var onDead = new List<GrainAddress>();
        var onAlive = new List<GrainAddress>();
        for (var i = 0; i < 10; i++)
        {
            onDead.Add(await store.RegisterAsync(At(NewGrain(), i % 2 == 0 ? deadA : deadB), null, None));
            onAlive.Add(await store.RegisterAsync(At(NewGrain(), alive), null, None));
        }

        Assert.Equal(10, await store.UnregisterSilosAsync([deadA, deadB], None));
        Assert.Equal(0, await store.UnregisterSilosAsync([deadA], None));
        Assert.Equal(0, await store.UnregisterSilosAsync([], None));

        foreach (var address in onDead)
            Assert.Null(await store.LookupAsync(address.Grain, None));
        foreach (var address in onAlive)
            Assert.Equal(address, await store.LookupAsync(address.Grain, None));
    }

    [Fact]
    public async Task Clusters_are_isolated()
    {
        var a = NewCluster();
        var b = NewCluster();
        var grain = NewGrain();
        var inA = At(grain, NewSilo(1));
        var inB = At(grain, NewSilo(2));

        Assert.Equal(inA, await a.RegisterAsync(inA, null, None));
        Assert.Equal(inB, await b.RegisterAsync(inB, null, None));
        Assert.Equal(1, await b.UnregisterSilosAsync([inB.Silo, inA.Silo], None));
        Assert.Equal(inA, await a.LookupAsync(grain, None));
    }
}

public sealed class InMemoryGrainDirectoryConformanceTests : GrainDirectoryConformanceTests
{
    protected override IGrainDirectoryStore CreateStore(string clusterId) => new InMemoryGrainDirectoryStore();
}

public sealed class PostgresGrainDirectoryConformanceTests(Infrastructure.PostgresDatabase db)
    : GrainDirectoryConformanceTests, IClassFixture<Infrastructure.PostgresDatabase>
{
    protected override IGrainDirectoryStore CreateStore(string clusterId) => new PostgresGrainDirectoryStore(db.DataSource, clusterId);
}
