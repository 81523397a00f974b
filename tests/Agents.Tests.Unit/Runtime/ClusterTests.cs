using Agents.Abstractions;
using Agents.Runtime.Hosting;
using Agents.Runtime.Storage;
using Agents.Runtime.Testing;

namespace Agents.Tests.Unit.Runtime;

/// <summary>Several silos in one process over loopback TCP, in-memory directory and state.</summary>
public sealed class ClusterTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public Task InitializeAsync()
    {
        _cluster = new InProcessTestCluster(builder => builder.AddGrainsFrom(typeof(PingGrain).Assembly));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Five_hundred_concurrent_first_calls_from_three_silos_make_one_activation()
    {
        await _cluster.StartSilosAsync(3);
        var silos = _cluster.Silos;
        var key = "single-" + Guid.NewGuid().ToString("N");
        var calls = Enumerable.Range(0, 500)
            .Select(i => Task.Run(() => silos[i % 3].GrainFactory.Get<IActivationGrain>(key).HelloAsync()))
            .ToArray();
        var activations = await Task.WhenAll(calls);
        Assert.Single(activations.Distinct());
        Assert.Equal(1, ActivationGrain.Activations[key]);
        Assert.Equal(1, silos.Sum(s => s.ActivationCount));
    }

    [Fact]
    public async Task Calls_reach_a_grain_on_another_silo()
    {
        await _cluster.StartSilosAsync(2);
        var (a, b) = (_cluster.Silos[0], _cluster.Silos[1]);
        // Place it on a by calling from a with a grain that a alone can host.
        for (var i = 0; i < 20; i++)
        {
            var key = $"remote-{i}";
            var home = await a.GrainFactory.Get<IPingGrain>(key).WhereAsync();
            Assert.Equal(home, await b.GrainFactory.Get<IPingGrain>(key).WhereAsync());
            Assert.Equal(11, await b.GrainFactory.Get<IPingGrain>(key).PingAsync(10));
            var record = await b.GrainFactory.Get<IPingGrain>(key).TransformAsync(new TestRecord("r", 3, ["x"]));
            Assert.Equal(6, record.Count);
        }
        Assert.Equal(20, a.ActivationCount + b.ActivationCount);
    }

    [Fact]
    public async Task Exceptions_from_a_remote_grain_carry_type_and_message()
    {
        await _cluster.StartSilosAsync(2);
        var (a, b) = (_cluster.Silos[0], _cluster.Silos[1]);
        var key = await KeyHostedOnAsync(a, b);
        var error = await Assert.ThrowsAsync<RemoteGrainException>(() => b.GrainFactory.Get<IPingGrain>(key).ThrowAsync("remote boom"));
        Assert.Equal(typeof(InvalidOperationException).FullName, error.ExceptionType);
        Assert.Equal("remote boom", error.RemoteMessage);
        Assert.Equal(6, await b.GrainFactory.Get<IPingGrain>(key).PingAsync(5));
    }

    [Fact]
    public async Task Payload_over_the_limit_is_refused_and_the_silos_keep_serving()
    {
        await _cluster.StartSilosAsync(2, o => o.MaxMessageSize = 64 * 1024);
        var (a, b) = (_cluster.Silos[0], _cluster.Silos[1]);
        var key = await KeyHostedOnAsync(a, b);
        var grain = b.GrainFactory.Get<IPingGrain>(key);
        var error = await Assert.ThrowsAsync<PayloadTooLargeException>(() => grain.EchoBytesAsync(new byte[200 * 1024]));
        Assert.Equal(64 * 1024, error.Limit);
        Assert.True(error.Size > error.Limit);
        Assert.Contains("EchoBytesAsync", error.Message);
        Assert.Equal(10_000, (await grain.EchoBytesAsync(new byte[10_000])).Length);
    }

    [Fact]
    public async Task A_request_that_takes_too_long_times_out_and_the_silo_keeps_serving()
    {
        await _cluster.StartSilosAsync(2, o => { o.ResponseTimeout = TimeSpan.FromMilliseconds(500); o.TimeoutSweepInterval = TimeSpan.FromMilliseconds(50); });
        var (a, b) = (_cluster.Silos[0], _cluster.Silos[1]);
        var key = await KeyHostedOnAsync(a, b);
        await Assert.ThrowsAsync<RequestTimeoutException>(() => b.GrainFactory.Get<IPingGrain>(key).SleepAsync(5_000));
        await Assert.ThrowsAsync<RequestTimeoutException>(() => a.GrainFactory.Get<IPingGrain>(key + "-local").SleepAsync(5_000));
        Assert.Equal(2, await b.GrainFactory.Get<IPingGrain>("other-" + key).PingAsync(1));
    }

    [Fact]
    public async Task Queued_requests_that_expire_are_dropped_not_run()
    {
        await _cluster.StartSilosAsync(1, o => { o.ResponseTimeout = TimeSpan.FromMilliseconds(300); o.TimeoutSweepInterval = TimeSpan.FromMilliseconds(50); });
        var grain = _cluster.Silos[0].GrainFactory.Get<IPingGrain>("sleepy");
        Assert.Equal(1, await grain.BumpAsync());
        // A long request holds the turn; the bumps queued behind it expire before their turn comes.
        var sleeping = grain.SleepAsync(1_000);
        var queued = Enumerable.Range(0, 5).Select(_ => grain.BumpAsync()).ToArray();
        foreach (var call in queued) await Assert.ThrowsAsync<RequestTimeoutException>(() => call);
        await Assert.ThrowsAsync<RequestTimeoutException>(() => sleeping);
        await Task.Delay(1_000); // let the sleeper finish so the expired bumps reach their turn
        Assert.Equal(1, await grain.BumpsAsync());
    }

    [Fact]
    public async Task Full_queue_rejects_with_overloaded_and_the_rest_succeed()
    {
        await _cluster.StartSilosAsync(1, o => o.MaxActivationQueueLength = 5);
        var grain = _cluster.Silos[0].GrainFactory.Get<IPingGrain>("busy");
        var calls = Enumerable.Range(0, 50).Select(_ => grain.SleepAsync(20)).ToArray();
        var outcomes = await Task.WhenAll(calls.Select(async call =>
        {
            try { await call; return "ok"; }
            catch (OverloadedException) { return "overloaded"; }
        }));
        Assert.Contains("overloaded", outcomes);
        Assert.Contains("ok", outcomes);
        Assert.True(outcomes.Count(o => o == "ok") >= 5);
        Assert.Equal(2, await grain.PingAsync(1));
    }

    [Fact]
    public async Task A_non_reentrant_grain_never_runs_two_requests_at_once()
    {
        await _cluster.StartSilosAsync(2);
        var silos = _cluster.Silos;
        var calls = Enumerable.Range(0, 300).Select(i => silos[i % 2].GrainFactory.Get<ITurnGrain>("turns").WorkAsync());
        await Task.WhenAll(calls);
        Assert.Equal(1, await silos[0].GrainFactory.Get<ITurnGrain>("turns").MaxConcurrencyAsync());
    }

    [Fact]
    public async Task Read_only_requests_interleave_with_each_other()
    {
        await _cluster.StartSilosAsync(1, o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        var grain = _cluster.Silos[0].GrainFactory.Get<IRendezvousGrain>("ro");
        // Each returns only once all three are inside the grain: impossible without interleaving.
        var met = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => grain.MeetReadOnlyAsync(3)));
        Assert.Equal(new[] { 1, 2, 3 }, met.Order());
    }

    [Fact]
    public async Task Non_read_only_requests_do_not_interleave()
    {
        await _cluster.StartSilosAsync(1, o => { o.ResponseTimeout = TimeSpan.FromMilliseconds(600); o.TimeoutSweepInterval = TimeSpan.FromMilliseconds(50); });
        var grain = _cluster.Silos[0].GrainFactory.Get<IRendezvousGrain>("rw");
        var first = grain.MeetAsync(2);
        var second = grain.MeetAsync(2);
        // The first waits for a partner that cannot enter: it times out, and only then does the second run.
        await Assert.ThrowsAsync<RequestTimeoutException>(() => first);
        await Assert.ThrowsAsync<RequestTimeoutException>(() => second);
    }

    [Fact]
    public async Task Reentrant_grains_interleave_all_requests()
    {
        await _cluster.StartSilosAsync(1, o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        var grain = _cluster.Silos[0].GrainFactory.Get<IReentrantRendezvousGrain>("re");
        var met = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => grain.MeetAsync(3)));
        Assert.Equal(new[] { 1, 2, 3 }, met.Order());
    }

    [Fact]
    public async Task Stateless_worker_runs_up_to_its_limit_of_local_activations()
    {
        await _cluster.StartSilosAsync(1, o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        var grain = _cluster.Silos[0].GrainFactory.Get<IWorkerGrain>("pool");
        // Four meet only if four activations serve them at once (each activation is single-threaded).
        var activations = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => grain.MeetAsync(4)));
        Assert.Equal(4, activations.Distinct().Count());
        Assert.Null(await _cluster.Directory.LookupAsync(new GrainId("worker", "pool"), default));
    }

    [Fact]
    public async Task Role_based_placement_uses_only_silos_with_the_role()
    {
        await _cluster.StartSiloAsync();
        var gpu = await _cluster.StartSiloAsync(o => o.Roles = ["gpu"]);
        await _cluster.StartSiloAsync();
        foreach (var silo in _cluster.Silos)
            for (var i = 0; i < 5; i++)
                Assert.Equal(gpu.Name, await silo.GrainFactory.Get<IGpuGrain>($"g{i}").WhereAsync());
    }

    [Fact]
    public async Task Idle_activations_are_collected_and_reactivated_on_the_next_call()
    {
        await _cluster.StartSilosAsync(1, o => o.CollectionQuantum = TimeSpan.FromMilliseconds(100));
        var key = "idle-" + Guid.NewGuid().ToString("N");
        var grain = _cluster.Silos[0].GrainFactory.Get<IIdleGrain>(key);
        var first = await grain.HelloAsync();
        await WaitUntilAsync(() => IdleGrain.Deactivations.GetValueOrDefault(key) >= 1);
        var second = await grain.HelloAsync();
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Timer_ticks_run_as_turns_of_the_activation()
    {
        await _cluster.StartSilosAsync(1);
        var grain = _cluster.Silos[0].GrainFactory.Get<ITimerGrain>("t");
        await grain.StartAsync(20);
        await WaitUntilAsync(async () => await grain.TicksAsync() >= 3);
    }

    [Fact]
    public async Task Etag_conflict_throws_and_the_next_call_sees_the_stored_state()
    {
        await _cluster.StartSilosAsync(2);
        var grain = _cluster.Silos[1].GrainFactory.Get<ICounterGrain>("etag");
        Assert.Equal(1, await grain.IncrementAsync());
        // Someone else writes the stored state behind the activation's back.
        var id = new GrainId("counter", "etag");
        var stored = await _cluster.StateStore.ReadAsync("counter", id, default);
        await _cluster.StateStore.WriteAsync("counter", id, "{\"Value\":100}"u8.ToArray(), stored.ETag, default);

        var error = await Assert.ThrowsAsync<RemoteGrainException>(() => grain.IncrementAsync());
        Assert.Equal(typeof(InconsistentStateException).FullName, error.ExceptionType);
        Assert.Equal(100, await grain.GetAsync());
        Assert.Equal(101, await grain.IncrementAsync());
    }

    [Fact]
    public async Task Graceful_shutdown_hands_grains_over_to_the_remaining_silos()
    {
        await _cluster.StartSilosAsync(2);
        var (a, b) = (_cluster.Silos[0], _cluster.Silos[1]);
        var keys = Enumerable.Range(0, 20).Select(i => $"handoff-{i}").ToArray();
        foreach (var key in keys) await b.GrainFactory.Get<ICounterGrain>(key).IncrementAsync();
        Assert.True(a.ActivationCount > 0, "random placement put nothing on silo a");
        await _cluster.StopSiloAsync(a);
        foreach (var key in keys)
        {
            Assert.Equal(2, await b.GrainFactory.Get<ICounterGrain>(key).IncrementAsync());
            Assert.Equal(b.Name, await b.GrainFactory.Get<ICounterGrain>(key).WhereAsync());
        }
    }

    [Fact]
    public async Task Killed_silo_grains_answer_again_from_the_survivors()
    {
        await _cluster.StartSilosAsync(3);
        var silos = _cluster.Silos;
        var keys = Enumerable.Range(0, 30).Select(i => $"kill-{i}").ToArray();
        foreach (var key in keys) await silos[0].GrainFactory.Get<ICounterGrain>(key).IncrementAsync();
        var victim = silos[1];
        Assert.True(victim.ActivationCount > 0, "random placement put nothing on the victim");
        _cluster.KillSilo(victim);
        foreach (var key in keys)
        {
            // Writes were acknowledged before the kill, so every grain still holds 1.
            Assert.Equal(2, await silos[0].GrainFactory.Get<ICounterGrain>(key).IncrementAsync());
            Assert.NotEqual(victim.Name, await silos[2].GrainFactory.Get<ICounterGrain>(key).WhereAsync());
        }
    }

    [Fact]
    public async Task Restarted_silo_joins_and_hosts_grains_again()
    {
        await _cluster.StartSilosAsync(2);
        var restarted = await _cluster.RestartSiloAsync(_cluster.Silos[1]);
        var keys = Enumerable.Range(0, 20).Select(i => $"restart-{i}").ToArray();
        foreach (var key in keys) Assert.Equal(1, await restarted.GrainFactory.Get<IPingGrain>(key).PingAsync(0));
        Assert.True(restarted.ActivationCount > 0);
    }

    [Fact]
    public async Task Stale_cached_location_is_repaired_when_the_grain_is_gone_from_that_silo()
    {
        await _cluster.StartSilosAsync(2);
        var (a, b) = (_cluster.Silos[0], _cluster.Silos[1]);
        var key = await KeyHostedOnAsync(a, a);
        var before = await a.GrainFactory.Get<IPingGrain>(key).ActivationAsync();
        // b learns the location from the directory and caches it.
        Assert.Equal(before, await b.GrainFactory.Get<IPingGrain>(key).ActivationAsync());
        await a.GrainFactory.Get<IPingGrain>(key).DeactivateAsync();
        await WaitUntilAsync(() => a.ActivationCount == 0);
        // b's cache still points at a; a answers CacheInvalidation; b re-resolves and the grain re-activates.
        var after = await b.GrainFactory.Get<IPingGrain>(key).ActivationAsync();
        Assert.NotEqual(before, after);
        Assert.Equal(after, await a.GrainFactory.Get<IPingGrain>(key).ActivationAsync());
    }

    /// <summary>A key whose grain lives on <paramref name="home"/> (found by trying keys from <paramref name="home"/>).</summary>
    private static async Task<string> KeyHostedOnAsync(SiloHost home, SiloHost other)
    {
        for (var i = 0; ; i++)
        {
            var key = $"on-{home.Name}-{i}-{Guid.NewGuid():N}";
            if (await other.GrainFactory.Get<IPingGrain>(key).WhereAsync() == home.Name) return key;
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 20 s");
            await Task.Delay(20);
        }
    }
}
