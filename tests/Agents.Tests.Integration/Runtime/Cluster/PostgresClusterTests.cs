using Agents.Abstractions;
using Agents.Runtime.Directory;
using Agents.Runtime.Membership;
using Agents.Runtime.Storage;
using Agents.Runtime.Testing;
using Agents.Tests.Integration.Infrastructure;
using Agents.TestSilo;

namespace Agents.Tests.Integration.Runtime.Cluster;

/// <summary>In-process silos over real TCP with PostgreSQL as membership table, grain directory and
/// state store.</summary>
public sealed class PostgresClusterTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public Task InitializeAsync()
    {
        var clusterId = "pg-" + Guid.NewGuid().ToString("N")[..8];
        _cluster = new InProcessTestCluster(
            b => b.AddGrain<LedgerGrain>(),
            new PostgresGrainDirectoryStore(db.DataSource, clusterId),
            new PostgresGrainStateStore(db.DataSource, clusterId),
            new PostgresMembershipTable(db.DataSource, clusterId),
            clusterId: clusterId);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Five_hundred_concurrent_first_calls_from_three_silos_make_one_activation()
    {
        await _cluster.StartSilosAsync(3);
        var silos = _cluster.Silos;
        var activations = await Task.WhenAll(Enumerable.Range(0, 500)
            .Select(i => Task.Run(() => silos[i % 3].GrainFactory.Get<ILedgerGrain>("single").WhereAsync())));
        Assert.Single(activations.Distinct());
        Assert.Equal(1, silos.Sum(s => s.ActivationCount));
        var registered = await _cluster.Directory.LookupAsync(new GrainId("ledger", "single"), default);
        Assert.NotNull(registered);
        Assert.Equal(silos.Single(s => s.Name == activations[0]).Address, registered.Silo);
    }

    [Fact]
    public async Task Etag_conflict_throws_and_the_next_call_sees_the_stored_state()
    {
        await _cluster.StartSilosAsync(2);
        var grain = _cluster.Silos[0].GrainFactory.Get<ILedgerGrain>("etag");
        await grain.AppendAsync(1);
        var id = new GrainId("ledger", "etag");
        var stored = await _cluster.StateStore.ReadAsync("ledger", id, default);
        await _cluster.StateStore.WriteAsync("ledger", id, "{\"Entries\":[1,7]}"u8.ToArray(), stored.ETag, default);

        var error = await Assert.ThrowsAsync<RemoteGrainException>(() => grain.AppendAsync(2));
        Assert.Equal(typeof(InconsistentStateException).FullName, error.ExceptionType);
        Assert.Equal(new[] { 1, 7 }, await grain.EntriesAsync());
        await grain.AppendAsync(2);
        Assert.Equal(new[] { 1, 7, 2 }, await grain.EntriesAsync());
    }

    [Fact]
    public async Task Killed_silo_is_voted_dead_in_the_table_and_its_grains_move()
    {
        await _cluster.StartSilosAsync(3);
        var silos = _cluster.Silos;
        var keys = Enumerable.Range(0, 30).Select(i => $"pgkill-{i}").ToArray();
        foreach (var key in keys) await silos[0].GrainFactory.Get<ILedgerGrain>(key).AppendAsync(1);
        var victim = silos[1];
        Assert.True(victim.ActivationCount > 0, "no grain was placed on the victim");
        _cluster.KillSilo(victim);
        foreach (var key in keys)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try
                {
                    Assert.Equal(new[] { 1 }, await silos[2].GrainFactory.Get<ILedgerGrain>(key).EntriesAsync());
                    break;
                }
                catch (Exception exception) when (exception is SiloUnavailableException or RequestTimeoutException && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }
            }
        }
        var table = await new PostgresMembershipTable(db.DataSource, _cluster.ClusterId).ReadAllAsync(default);
        Assert.Equal(SiloStatus.Dead, table.Members.Single(m => m.Entry.Silo.Equals(victim.Address)).Entry.Status);
    }
}
