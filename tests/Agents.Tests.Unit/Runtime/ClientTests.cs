using Agents.Abstractions;
using Agents.Client;
using Agents.Runtime;
using Agents.Runtime.Membership;
using Agents.Runtime.Testing;

namespace Agents.Tests.Unit.Runtime;

/// <summary>The cluster client through gateways: calls, errors, limits, and gateway failover.</summary>
public sealed class ClientTests : IAsyncLifetime
{
    private readonly InMemoryMembershipTable _table = new("client-tests");
    private InProcessTestCluster _cluster = null!;

    public Task InitializeAsync()
    {
        _cluster = new InProcessTestCluster(b => b.AddGrainsFrom(typeof(PingGrain).Assembly), membershipTable: _table, clusterId: "client-tests");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ClusterClient NewClient(Action<ClusterClientOptions>? configure = null)
    {
        var options = new ClusterClientOptions { ClusterId = _cluster.ClusterId };
        configure?.Invoke(options);
        return new ClusterClient(options, _table);
    }

    [Fact]
    public async Task Client_finds_gateways_in_the_membership_table_and_calls_grains()
    {
        await _cluster.StartSilosAsync(2);
        await using var client = NewClient();
        await client.ConnectAsync();
        Assert.Equal(4, await client.Get<IPingGrain>("c1").PingAsync(3));
        Assert.Equal("xyz", await client.Get<IPingGrain>("c2").EchoAsync("xyz"));
        var record = await client.Get<IPingGrain>("c3").TransformAsync(new TestRecord("n", 5, []));
        Assert.Equal(10, record.Count);
        RequestContext.Set("tenant", "t9");
        try { Assert.Equal("t9", await client.Get<IPingGrain>("c4").ContextAsync("tenant")); }
        finally { RequestContext.Clear(); }
    }

    [Fact]
    public async Task Errors_reach_the_client_with_their_types()
    {
        await _cluster.StartSilosAsync(1, o => o.MaxMessageSize = 32 * 1024);
        await using var client = NewClient(o => o.MaxMessageSize = 1024 * 1024);
        await client.ConnectAsync();
        var thrown = await Assert.ThrowsAsync<RemoteGrainException>(() => client.Get<IPingGrain>("e").ThrowAsync("client boom"));
        Assert.Equal(typeof(InvalidOperationException).FullName, thrown.ExceptionType);
        Assert.Equal("client boom", thrown.RemoteMessage);
        await Assert.ThrowsAsync<UnknownGrainTypeException>(() => client.Get<IOrphanGrain>("o").NothingAsync());
        await Assert.ThrowsAsync<NoSiloWithRoleException>(() => client.Get<IGpuGrain>("g").WhereAsync());
        // The response is over the silo's limit: the silo refuses to send it and says why.
        var tooLarge = await Assert.ThrowsAsync<PayloadTooLargeException>(() => client.Get<IPingGrain>("big").EchoBytesAsync(new byte[40 * 1024]));
        Assert.Contains("Response of EchoBytesAsync", tooLarge.Message);
        Assert.Equal(32 * 1024, tooLarge.Limit);
        Assert.Equal(2, await client.Get<IPingGrain>("after").PingAsync(1));
    }

    [Fact]
    public async Task Request_over_the_clients_limit_is_refused_before_sending()
    {
        await _cluster.StartSilosAsync(1);
        await using var client = NewClient(o => o.MaxMessageSize = 16 * 1024);
        await client.ConnectAsync();
        var error = await Assert.ThrowsAsync<PayloadTooLargeException>(() => client.Get<IPingGrain>("big").EchoBytesAsync(new byte[64 * 1024]));
        Assert.Equal(16 * 1024, error.Limit);
        Assert.Equal(2, await client.Get<IPingGrain>("big").PingAsync(1));
    }

    [Fact]
    public async Task Client_fails_over_to_another_gateway_when_its_gateway_dies()
    {
        await _cluster.StartSilosAsync(3);
        await using var client = NewClient();
        await client.ConnectAsync();
        var first = client.CurrentGateway;
        var keys = Enumerable.Range(0, 30).Select(i => $"fo-{i}").ToArray();
        foreach (var key in keys) Assert.Equal(1, await client.Get<ICounterGrain>(key).IncrementAsync());
        var victim = _cluster.Silos.Single(s => s.GatewayEndpoint!.Port == first!.Port);
        _cluster.KillSilo(victim);

        foreach (var key in keys)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try
                {
                    Assert.Equal(2, await client.Get<ICounterGrain>(key).IncrementAsync());
                    break;
                }
                catch (Exception exception) when (exception is SiloUnavailableException or RequestTimeoutException && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }
            }
        }
        Assert.NotEqual(first, client.CurrentGateway);
    }
}
