using Agents.Tests.Integration.Grains.TestGrains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Agents.Tests.Integration.Grains;

/// <summary>What the product relies on from Orleans, checked on a two-silo cluster of Agents silos.</summary>
public sealed class ClusterSemanticsTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await AgentsTestCluster.StartAsync(2, new Dictionary<string, string?>());

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_grain_has_one_activation_whichever_silo_or_client_calls_it()
    {
        var key = $"probe-{Guid.NewGuid():N}";
        var callers = _cluster.Silos.Select(s => _cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<IGrainFactory>())
            .Append(_cluster.Client).ToArray();
        var identities = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => callers[i % callers.Length].GetGrain<IProbeGrain>(key).IdentityAsync()));
        Assert.Single(identities.Distinct());
    }

    [Fact]
    public async Task A_non_reentrant_grain_never_runs_two_requests_at_once()
    {
        var probe = _cluster.Client.GetGrain<IProbeGrain>($"probe-{Guid.NewGuid():N}");
        var seen = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => probe.WorkAsync(TimeSpan.FromMilliseconds(20))));
        Assert.All(seen, max => Assert.Equal(1, max));
    }

    [Fact]
    public async Task Persistent_state_survives_deactivation()
    {
        var counter = _cluster.Client.GetGrain<ICounterGrain>($"counter-{Guid.NewGuid():N}");
        await counter.IncrementAsync();
        await counter.IncrementAsync();
        var first = await counter.ActivationAsync();

        await counter.DeactivateAsync();
        await _cluster.WaitForDeactivationAsync(counter);

        Assert.NotEqual(first, await counter.ActivationAsync());
        Assert.Equal(2, await counter.ValueAsync());
    }

    [Fact]
    public async Task A_write_on_a_stale_etag_fails_with_an_inconsistent_state_error_and_the_next_call_reads_the_winner()
    {
        var counter = _cluster.Client.GetGrain<ICounterGrain>($"counter-{Guid.NewGuid():N}");
        await counter.IncrementAsync();

        // Another writer changes the stored state behind the activation's back.
        var storage = _cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>("Default");
        var stored = new GrainState<CounterState>();
        await storage.ReadStateAsync("counter", counter.GetGrainId(), stored);
        stored.State!.Value = 100;
        await storage.WriteStateAsync("counter", counter.GetGrainId(), stored);

        await Assert.ThrowsAsync<InconsistentStateException>(() => counter.IncrementAsync());
        Assert.Equal(101, await counter.IncrementAsync());
    }
}
