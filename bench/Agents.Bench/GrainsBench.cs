using System.Diagnostics;
using System.Globalization;
using Agents.Abstractions.Diagnostics;
using Agents.Abstractions.Memory;
using Agents.Bench.Grains;
using Agents.Grains.Memory;
using Agents.Memory.Engine;
using Agents.Memory.Stores;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace Agents.Bench;

/// <summary>
/// <c>grains</c>: two silos on loopback, this process and the product's silo as a second process
/// (embedded store, offline models). Measures Orleans ping calls to the remote silo with 256 in flight,
/// memory-grain adds through it, and memory-grain search over 10,000 memories there, against the same
/// search on an engine in this process holding the same memories (the baseline: what the grain path adds).
/// </summary>
public static class GrainsBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var memories = options.Int("memories", 10_000);
        var inFlight = options.Int("in-flight", 256);
        var pingSeconds = options.Double("ping-seconds", 5);
        var scopes = options.Int("scopes", 16);
        var queries = options.Int("queries", 400);
        // Steady state, as the ping's warm-up gives it: the runtime re-compiles hot methods at their
        // optimised tier in the background, later while other new code keeps being compiled, so both
        // paths get as many warm-up queries as timed ones (with 20, the remote silo was still
        // re-compiling during the timed queries; with tiered compilation off the gap is the same as here).
        var warmupQueries = options.Int("warmup-queries", queries);
        var seed = options.Int("seed", 7);
        var pipelineJobs = options.Int("pipeline-jobs", 0);
        // The grain path is measured, not the model: the hashing embedder unless told otherwise.
        var embedder = options.String("embedder", "hashing");
        options.EnsureAllUsed();
        if (memories < scopes || scopes < 1 || inFlight < 1 || queries < 1 || warmupQueries < 0) throw new BenchUsageException("--memories must be at least --scopes, and every count positive");

        var cluster = $"bench-{Guid.NewGuid():N}"[..16];
        var (localPort, localGateway, remotePort, remoteGateway) = (LocalSilo.FreePort(), LocalSilo.FreePort(), LocalSilo.FreePort(), LocalSilo.FreePort());
        Console.WriteLine($"grains bench: memories={memories} scopes={scopes} in_flight={inFlight} queries={queries} embedder={embedder} cores={Environment.ProcessorCount} load={BenchStats.LoadAverage()}");

        using var local = await LocalSilo.StartAsync(cluster, localPort, localGateway, new Dictionary<string, string?> { ["Agents:Memory:Embedder"] = embedder });
        await using var remote = await SecondSilo.StartAsync(cluster, remotePort, remoteGateway, localPort,
            new Dictionary<string, string>
            {
                ["Agents__Memory__Pipeline__MaxConcurrentJobs"] = pipelineJobs.ToString(CultureInfo.InvariantCulture),
                ["Agents__Memory__Embedder"] = embedder,
            }, CancellationToken.None);
        var grains = local.Services.GetRequiredService<IGrainFactory>();
        var remoteSilo = await WaitForSecondSiloAsync(grains, local.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress);
        Console.WriteLine($"cluster up: {local.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress} (here) and {remoteSilo} (second process)");

        // ---- ping: reentrant grains activated on the remote silo, called from here.
        var pingers = await OnRemoteAsync(i => grains.GetGrain<IPingGrain>($"ping-{i}"), g => g.PingAsync(), remoteSilo, 32);
        await CallsPerSecondAsync(pingers, TimeSpan.FromSeconds(3), inFlight);   // warm-up (JIT tiers)
        var pingPerSecond = await CallsPerSecondAsync(pingers, TimeSpan.FromSeconds(pingSeconds), inFlight);
        Console.WriteLine($"ping      {pingPerSecond:F0} calls/s to the remote silo ({inFlight} in flight)");

        // ---- adds: the runs of one user, each run's grain on the remote silo; the user's grain searches them all.
        var searcher = (await OnRemoteAsync(i => grains.GetGrain<IMemoryGrain>(new ScopeRef("bench", UserId: $"bench-user-{seed}-{i}").ToGrainKey()),
            g => g.PipelineStatusAsync().ContinueWith(t => t.Result.Silo, TaskScheduler.Default), remoteSilo, 1)).Single();
        var user = ScopeRef.FromGrainKey(searcher.GetPrimaryKeyString()).UserId!;
        var runs = await OnRemoteAsync(i => grains.GetGrain<IMemoryGrain>(new ScopeRef("bench", UserId: user, RunId: $"run-{i}").ToGrainKey()),
            g => g.PipelineStatusAsync().ContinueWith(t => t.Result.Silo, TaskScheduler.Default), remoteSilo, scopes);
        var corpus = new BenchCorpus(seed);
        var inputs = Enumerable.Range(0, memories)
            .Select(i => new MemoryInput([new TurnInput("clerk", corpus.Fact(i), $"m{i}")], new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i)))
            .ToArray();
        var addWatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, memories), new ParallelOptions { MaxDegreeOfParallelism = inFlight },
            async (i, _) => await runs[i % runs.Count].AddAsync(inputs[i]));
        var addPerSecond = memories / addWatch.Elapsed.TotalSeconds;
        Console.WriteLine($"adds      {addPerSecond:F0} adds/s through the remote silo ({memories} adds to {runs.Count} scopes, durable before acknowledged)");
        var idleWatch = Stopwatch.StartNew();
        await Task.WhenAll(runs.Select(r => WaitForIdleAsync(r)));
        Console.WriteLine($"pipeline  {memories / (addWatch.Elapsed.TotalSeconds):F0} memories/s end to end (idle {idleWatch.Elapsed.TotalSeconds:F1} s after the last add)");

        // ---- baseline: the same memories in this process's engine, searched directly.
        var engine = local.Services.GetRequiredService<MemoryEngine>();
        var userScope = new ScopeRef("bench", UserId: user).ToScope();
        for (var i = 0; i < memories; i++)
        {
            var input = inputs[i];
            var scope = new ScopeRef("bench", UserId: user, RunId: $"local-run-{i % runs.Count}").ToScope();
            await engine.AddAsync(scope, input.Messages[0].Text, input.ObservedAt, input.Messages[0].Speaker, [input.Messages[0].SourceId!]);
        }
        await engine.WaitForIdleAsync(userScope);

        // ---- search: the user's scope (every run) through its grain on the remote silo, and the same
        // query on the local engine right after it, so both see the machine at the same speed.
        var questions = Enumerable.Range(0, queries).Select(_ => corpus.Question()).ToArray();
        foreach (var q in Enumerable.Range(0, warmupQueries).Select(_ => corpus.Question()))
        {
            await searcher.SearchAsync(new MemoryQuery(q, 10));
            await engine.SearchAsync(q, new MemoryFilter(userScope), 10);
        }
        var grainLatencies = new List<double>(queries);
        var directLatencies = new List<double>(queries);
        var found = 0;
        foreach (var q in questions)
        {
            var watch = Stopwatch.StartNew();
            var hits = await searcher.SearchAsync(new MemoryQuery(q, 10));
            grainLatencies.Add(watch.Elapsed.TotalMilliseconds);
            found += hits.Count;
            watch.Restart();
            await engine.SearchAsync(q, new MemoryFilter(userScope), 10);
            directLatencies.Add(watch.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"search    grain p50={BenchStats.Percentile(grainLatencies, 50):F2} ms p95={BenchStats.Percentile(grainLatencies, 95):F2} ms ({found / (double)queries:F1} hits per query over {memories} memories)");
        Console.WriteLine($"search    direct p50={BenchStats.Percentile(directLatencies, 50):F2} ms p95={BenchStats.Percentile(directLatencies, 95):F2} ms (engine in this process, same memories, query by query)");

        await local.StopAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT grains ping_per_s={pingPerSecond:F0} add_per_s={addPerSecond:F0} search_p50_ms={BenchStats.Percentile(grainLatencies, 50):F2} search_p95_ms={BenchStats.Percentile(grainLatencies, 95):F2} direct_search_p50_ms={BenchStats.Percentile(directLatencies, 50):F2} direct_search_p95_ms={BenchStats.Percentile(directLatencies, 95):F2}"));
        return 0;
    }


    private static async Task<SiloAddress> WaitForSecondSiloAsync(IGrainFactory grains, SiloAddress self)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var hosts = await management.GetHosts(onlyActive: true);
            if (hosts.Keys.FirstOrDefault(s => !s.Equals(self)) is { } other) return other;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the second silo did not join the cluster within 60 s");
            await Task.Delay(200);
        }
    }

    /// <summary>The first <paramref name="count"/> grains (by index) whose activation runs on the remote silo.</summary>
    private static async Task<List<TGrain>> OnRemoteAsync<TGrain>(Func<int, TGrain> grain, Func<TGrain, Task<string>> where, SiloAddress remote, int count)
    {
        var chosen = new List<TGrain>(count);
        var seen = new HashSet<string>();
        for (var i = 0; chosen.Count < count; i++)
        {
            if (i > count * 200) throw new InvalidOperationException($"placement never chose the remote silo {remote}; activations were on: {string.Join(", ", seen)}");
            // Placement weighs the silos' load: right after the ping phase the remote silo looks busy, so
            // give its statistics time to settle now and then.
            if (i > 0 && i % 20 == 0) await Task.Delay(TimeSpan.FromSeconds(1));
            var candidate = grain(i);
            var silo = await where(candidate);
            seen.Add(silo);
            if (silo == remote.ToString()) chosen.Add(candidate);
        }
        return chosen;
    }

    private static async Task<double> CallsPerSecondAsync(List<IPingGrain> targets, TimeSpan duration, int inFlight)
    {
        long calls = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async worker =>
        {
            var target = targets[worker % targets.Count];
            while (watch.Elapsed < duration)
            {
                await target.PingAsync();
                Interlocked.Increment(ref calls);
            }
        }));
        return calls / watch.Elapsed.TotalSeconds;
    }

    private static async Task WaitForIdleAsync(IMemoryGrain grain)
    {
        // A grain call times out after 30 s; a long pipeline is simply waited for again.
        while (true)
        {
            try
            {
                await grain.WaitForIdleAsync();
                return;
            }
            catch (TimeoutException)
            {
            }
        }
    }



}
