using Agents.Runtime.Membership;
using Agents.Runtime.Testing;

namespace Agents.Tests.Unit.Runtime;

/// <summary>Silos on the real membership protocol (in-memory table): a killed silo is found dead by
/// probes over the silo transport, and its grains come back on the survivors.</summary>
public sealed class FailureDetectionTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public Task InitializeAsync()
    {
        _cluster = new InProcessTestCluster(b => b.AddGrainsFrom(typeof(PingGrain).Assembly), membershipTable: new InMemoryMembershipTable("fd"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Killed_silo_is_detected_and_its_grains_reactivate_elsewhere()
    {
        await _cluster.StartSilosAsync(3);
        var silos = _cluster.Silos;
        var keys = Enumerable.Range(0, 30).Select(i => $"fd-{i}").ToArray();
        foreach (var key in keys) Assert.Equal(1, await silos[0].GrainFactory.Get<ICounterGrain>(key).IncrementAsync());
        var victim = silos[1];
        Assert.True(victim.ActivationCount > 0, "random placement put nothing on the victim");
        _cluster.KillSilo(victim);

        foreach (var key in keys)
        {
            var value = await RetryAsync(() => silos[2].GrainFactory.Get<ICounterGrain>(key).IncrementAsync());
            Assert.Equal(2, value);
        }
        var survivors = silos.Where(s => s != victim).Select(s => s.Name).ToHashSet();
        foreach (var key in keys) Assert.Contains(await silos[0].GrainFactory.Get<ICounterGrain>(key).WhereAsync(), survivors);
    }

    /// <summary>Retries calls that failed because their silo vanished, until it is declared dead.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception exception) when (exception is Abstractions.SiloUnavailableException or Abstractions.RequestTimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
