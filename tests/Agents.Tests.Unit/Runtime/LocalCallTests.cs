using Agents.Abstractions;
using Agents.Runtime;
using Agents.Runtime.Hosting;

namespace Agents.Tests.Unit.Runtime;

public sealed class LocalCallTests : IAsyncLifetime
{
    private SiloHost _silo = null!;

    public async Task InitializeAsync()
    {
        _silo = SiloHost.CreateBuilder().AddGrainsFrom(typeof(PingGrain).Assembly).Build();
        await _silo.StartAsync();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Call_returns_the_grain_methods_result()
    {
        var grain = _silo.GrainFactory.Get<IPingGrain>("a");
        Assert.Equal(42, await grain.PingAsync(41));
        Assert.Equal("héllo", await grain.EchoAsync("héllo"));
        Assert.Equal(7L, await grain.AddAsync(3, 4));
        var record = await grain.TransformAsync(new TestRecord("x", 2, ["a"]));
        Assert.Equal(new[] { "a", "seen" }, record.Tags);
        Assert.Equal(4, record.Count);
    }

    [Fact]
    public async Task Same_key_is_one_activation_and_other_keys_are_others()
    {
        var a1 = await _silo.GrainFactory.Get<IPingGrain>("same").ActivationAsync();
        var a2 = await _silo.GrainFactory.Get<IPingGrain>("same").ActivationAsync();
        var b = await _silo.GrainFactory.Get<IPingGrain>("other").ActivationAsync();
        Assert.Equal(a1, a2);
        Assert.NotEqual(a1, b);
    }

    [Fact]
    public async Task Exception_type_and_message_reach_the_caller()
    {
        var grain = _silo.GrainFactory.Get<IPingGrain>("thrower");
        var error = await Assert.ThrowsAsync<RemoteGrainException>(() => grain.ThrowAsync("boom 17"));
        Assert.Equal(typeof(InvalidOperationException).FullName, error.ExceptionType);
        Assert.Equal("boom 17", error.RemoteMessage);
        Assert.Equal(1, await grain.PingAsync(0));
    }

    [Fact]
    public async Task Request_context_flows_to_the_grain()
    {
        RequestContext.Set("trace", "t-1");
        try
        {
            Assert.Equal("t-1", await _silo.GrainFactory.Get<IPingGrain>("ctx").ContextAsync("trace"));
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public async Task Grain_calling_back_into_its_caller_does_not_deadlock()
    {
        // a -> b -> a: the call back is in a's call chain, so it runs although a is busy.
        Assert.Equal("a", await _silo.GrainFactory.Get<ICallerGrain>("a").CallBackAsync("b"));
    }

    [Fact]
    public async Task Unknown_grain_type_is_a_clear_error_and_the_silo_keeps_serving()
    {
        var error = await Assert.ThrowsAsync<UnknownGrainTypeException>(() => _silo.GrainFactory.Get<IOrphanGrain>("x").NothingAsync());
        Assert.Contains("orphan", error.Message);
        Assert.Equal(2, await _silo.GrainFactory.Get<IPingGrain>("after-unknown").PingAsync(1));
    }

    [Fact]
    public async Task Role_nobody_has_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<NoSiloWithRoleException>(() => _silo.GrainFactory.Get<IGpuGrain>("g").WhereAsync());
        Assert.Equal("gpu", error.Role);
        Assert.Equal(2, await _silo.GrainFactory.Get<IPingGrain>("after-role").PingAsync(1));
    }

    [Fact]
    public void Empty_key_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => _silo.GrainFactory.Get<IPingGrain>(""));
    }
}
