using Agents.Abstractions;
using Agents.Runtime;
using Agents.Runtime.Hosting;

namespace Agents.Tests.Unit.Runtime;

public interface IFragileGrain : IGrainWithStringKey
{
    Task<string> HelloAsync();
}

/// <summary>Fails to activate for keys starting with "bad", the first <see cref="FailuresLeft"/> times for "flaky".</summary>
public sealed class FragileGrain : Grain, IFragileGrain
{
    public static int FailuresLeft;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (GrainKey.StartsWith("bad", StringComparison.Ordinal)) throw new FormatException($"'{GrainKey}' is not a valid key for this grain.");
        if (GrainKey == "flaky" && Interlocked.Decrement(ref FailuresLeft) >= 0) throw new TimeoutException("the store did not answer in time");
        return Task.CompletedTask;
    }

    public Task<string> HelloAsync() => Task.FromResult("hello " + GrainKey);
}

public sealed class ActivationFailureTests : IAsyncLifetime
{
    private SiloHost _silo = null!;

    public async Task InitializeAsync()
    {
        _silo = SiloHost.CreateBuilder().AddGrainsFrom(typeof(FragileGrain).Assembly).Build();
        await _silo.StartAsync();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task The_activations_own_error_reaches_every_caller_and_the_silo_keeps_serving()
    {
        var calls = Enumerable.Range(0, 20).Select(_ => _silo.GrainFactory.Get<IFragileGrain>("bad-1").HelloAsync()).ToArray();
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => call);
            Assert.Contains("'bad-1' is not a valid key for this grain", error.Message);
        }
        Assert.Equal("hello good", await _silo.GrainFactory.Get<IFragileGrain>("good").HelloAsync());
    }

    [Fact]
    public async Task A_failed_activation_is_retried_by_the_next_call()
    {
        FragileGrain.FailuresLeft = 1;
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _silo.GrainFactory.Get<IFragileGrain>("flaky").HelloAsync());
        Assert.Contains("the store did not answer in time", error.Message);
        Assert.Equal("hello flaky", await _silo.GrainFactory.Get<IFragileGrain>("flaky").HelloAsync());
    }
}
