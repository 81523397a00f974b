using Agents.Abstractions;
using Agents.Abstractions.Inference;
using Agents.Abstractions.Memory;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Agents.Tests.Integration.Grains;

/// <summary>Three silos, one of them with the gpu role: the inference pool lives only there, whoever calls it.</summary>
public sealed class RolePlacementTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await AgentsTestCluster.StartAsync(3,
            new Dictionary<string, string?> { ["Agents:Inference:OnCpu"] = "false" },
            perSilo: name => new Dictionary<string, string?> { ["Agents:Silo:Roles"] = name == "Silo_1" ? "gpu" : "" });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Inference_workers_are_placed_only_on_the_silo_with_the_gpu_role()
    {
        var gpu = _cluster.Silos.Single(s => s.Name == "Silo_1").SiloAddress.ToString();
        var callers = _cluster.Silos.Select(s => _cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<IGrainFactory>())
            .Append(_cluster.Client).ToArray();

        var answered = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => callers[i % callers.Length].GetGrain<IInferenceGrain>(IInferenceGrain.Pool).StatsAsync()));

        Assert.All(answered, stats => Assert.Equal(gpu, stats.Silo));
        // Other grains still go anywhere.
        var owners = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            _cluster.Client.GetGrain<IMemoryGrain>(ScopeRef.ForUser($"u{i}").ToGrainKey()).PipelineStatusAsync()));
        Assert.True(owners.Select(o => o.Silo).Distinct().Count() > 1);
    }

    [Fact]
    public async Task When_the_gpu_silo_is_gone_calls_fail_with_a_clear_error()
    {
        await _cluster.StopSiloAsync(_cluster.Silos.Single(s => s.Name == "Silo_1"));
        await _cluster.WaitForLivenessToStabilizeAsync();

        var error = await Assert.ThrowsAsync<NoSiloWithRoleException>(() => _cluster.Client.GetGrain<IInferenceGrain>(IInferenceGrain.Pool).StatsAsync());
        Assert.Equal("gpu", error.Role);
    }
}
