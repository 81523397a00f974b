using System.Diagnostics;
using System.Globalization;
using Agents.Runtime.Hosting;
using Agents.Runtime.Membership;

namespace Agents.Bench;

/// <summary>
/// Grain call throughput and latency for a trivial method (after Orleans' PingBenchmark).
/// Local: one silo, <c>--grains</c> grains, <c>--callers</c> concurrent callers, each awaiting one call at a time.
/// Remote: this process's silo calls grains on a second silo over loopback TCP — a separate OS process
/// (this executable with <c>--serve-peer</c>) unless <c>--in-process</c> — unloaded (one caller: p50) and
/// with <c>--inflight</c> calls in flight (throughput, p99). Each figure is the median of <c>--runs</c>
/// runs of <c>--seconds</c> after <c>--warmup</c> seconds of warm-up.
/// </summary>
public static class RuntimeBench
{
    public const string RemoteRole = "bench-remote";
    private const string ClusterId = "bench";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "--serve-peer") return await ServePeerAsync();
        var options = new BenchArgs(args);
        var seconds = options.Double("seconds", 5);
        var warmup = options.Double("warmup", 2);
        var runs = options.Int("runs", 3);
        var grains = options.Int("grains", 1000);
        var callers = options.Int("callers", 10_000);
        var inflight = options.Int("inflight", 256);
        var inProcess = options.Flag("in-process");
        options.EnsureAllUsed();

        Console.WriteLine($"runtime benchmark: {runs} runs x {seconds} s after {warmup} s warm-up; {Environment.ProcessorCount} cores; server GC {System.Runtime.GCSettings.IsServerGC}");

        var local = new List<double>();
        await using (var silo = await StartSiloAsync(new InProcessClusterMembership().Handle(), []))
        {
            for (var run = 0; run < runs; run++)
            {
                var rate = await MeasureLocalAsync(silo, grains, callers, warmup, seconds);
                Console.WriteLine($"  local run {run + 1}: {rate:N0} calls/s ({grains} grains, {callers} callers)");
                local.Add(rate);
            }
        }

        var idle = new List<double>();
        var loadedRate = new List<double>();
        var loadedP99 = new List<double>();
        await using (var remote = await RemotePeer.StartAsync(inProcess))
        {
            Console.WriteLine($"  remote peer: {remote.Description}");
            var peer = new ClusterMember(remote.Address, SiloStatus.Active, "peer", Environment.MachineName, [RemoteRole], 0, DateTimeOffset.UtcNow);
            await using var silo = await StartSiloAsync(new StaticClusterMembership([peer]), []);
            for (var run = 0; run < runs; run++)
            {
                var (_, p50, _) = await MeasureRemoteAsync(silo, 1, warmup, seconds);
                var (rate, _, p99) = await MeasureRemoteAsync(silo, inflight, warmup, seconds);
                Console.WriteLine($"  remote run {run + 1}: unloaded p50 {p50:F1} us; {inflight} in flight: {rate:N0} calls/s, p99 {p99:F1} us");
                idle.Add(p50);
                loadedRate.Add(rate);
                loadedP99.Add(p99);
            }
        }

        var result = string.Create(CultureInfo.InvariantCulture,
            $"RESULT runtime local_calls_per_s={Median(local):F0} remote_calls_per_s={Median(loadedRate):F0} remote_idle_p50_us={Median(idle):F1} remote_loaded_p99_us={Median(loadedP99):F1}");
        Console.WriteLine($"medians: local {Median(local):N0}/s; remote {Median(loadedRate):N0}/s, idle p50 {Median(idle):F1} us, loaded p99 {Median(loadedP99):F1} us");
        Console.WriteLine(result);
        return 0;
    }

    private static async Task<SiloHost> StartSiloAsync(IClusterMembership membership, string[] roles)
    {
        var silo = SiloHost.CreateBuilder()
            .Configure(o => { o.ClusterId = ClusterId; o.SiloName = roles.Length == 0 ? "bench" : "peer"; o.Roles = roles; })
            .AddGrain<BenchGrain>()
            .AddGrain<RemoteBenchGrain>()
            .UseMembership(membership)
            .Build();
        await silo.StartAsync();
        return silo;
    }

    private static async Task<double> MeasureLocalAsync(SiloHost silo, int grainCount, int callerCount, double warmup, double seconds)
    {
        var grains = Enumerable.Range(0, grainCount).Select(i => silo.GrainFactory.Get<IBenchGrain>($"g{i}")).ToArray();
        foreach (var grain in grains) await grain.PingAsync(0);
        const int stride = 8; // one cache line per caller's counter
        var counts = new long[callerCount * stride];
        var stop = false;
        var tasks = new Task[callerCount];
        for (var c = 0; c < callerCount; c++)
        {
            var index = c;
            tasks[c] = Task.Run(async () =>
            {
                var grain = grains[index % grains.Length];
                while (!Volatile.Read(ref stop))
                {
                    await grain.PingAsync(index);
                    counts[index * stride]++;
                }
            });
        }
        await Task.Delay(TimeSpan.FromSeconds(warmup));
        var before = Sum(counts, stride);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var after = Sum(counts, stride);
        var elapsed = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks);
        return (after - before) / elapsed;
    }

    private static long Sum(long[] counts, int stride)
    {
        long total = 0;
        for (var i = 0; i < counts.Length; i += stride) total += Volatile.Read(ref counts[i]);
        return total;
    }

    /// <summary>Runs <paramref name="callers"/> callers against 1,000 grains on the peer; returns
    /// throughput and the p50 and p99 latencies (us) of calls made during the measured window.</summary>
    private static async Task<(double Rate, double P50, double P99)> MeasureRemoteAsync(SiloHost silo, int callers, double warmup, double seconds)
    {
        var grains = Enumerable.Range(0, 1000).Select(i => silo.GrainFactory.Get<IRemoteBenchGrain>($"r{i}")).ToArray();
        await Task.WhenAll(grains.Select(g => g.PingAsync(0)));
        var measuring = false;
        var stop = false;
        var samples = new List<long>[callers];
        var tasks = new Task[callers];
        for (var c = 0; c < callers; c++)
        {
            var index = c;
            var mine = samples[c] = new List<long>(1 << 16);
            tasks[c] = Task.Run(async () =>
            {
                var i = index;
                while (!Volatile.Read(ref stop))
                {
                    var grain = grains[i++ % grains.Length];
                    var start = Stopwatch.GetTimestamp();
                    await grain.PingAsync(i);
                    if (Volatile.Read(ref measuring)) mine.Add(Stopwatch.GetTimestamp() - start);
                }
            });
        }
        await Task.Delay(TimeSpan.FromSeconds(warmup));
        Volatile.Write(ref measuring, true);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref measuring, false);
        var elapsed = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks);
        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        var toMicros = 1_000_000.0 / Stopwatch.Frequency;
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * toMicros;
        return (all.Length / elapsed, Percentile(0.50), Percentile(0.99));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The peer process: a silo with the remote role; prints its address, serves until stdin closes.</summary>
    private static async Task<int> ServePeerAsync()
    {
        await using var silo = await StartSiloAsync(new InProcessClusterMembership().Handle(), [RemoteRole]);
        Console.WriteLine($"PEER {silo.Address}");
        await Console.In.ReadToEndAsync();
        silo.Kill();
        return 0;
    }

    /// <summary>The second silo: a child process (default) or a silo in this process.</summary>
    private sealed class RemotePeer : IAsyncDisposable
    {
        private Process? _process;
        private SiloHost? _silo;

        public SiloAddress Address { get; private set; } = null!;
        public string Description { get; private set; } = "";

        public static async Task<RemotePeer> StartAsync(bool inProcess)
        {
            var peer = new RemotePeer();
            if (inProcess)
            {
                peer._silo = await StartSiloAsync(new InProcessClusterMembership().Handle(), [RemoteRole]);
                peer.Address = peer._silo.Address;
                peer.Description = $"silo in this process at {peer.Address} (real TCP over loopback)";
                return peer;
            }
            var self = Environment.ProcessPath!;
            var start = Path.GetFileNameWithoutExtension(self) == "dotnet"
                ? new ProcessStartInfo(self) { ArgumentList = { typeof(RuntimeBench).Assembly.Location, "runtime", "--serve-peer" } }
                : new ProcessStartInfo(self) { ArgumentList = { "runtime", "--serve-peer" } };
            start.RedirectStandardInput = true;
            start.RedirectStandardOutput = true;
            start.UseShellExecute = false;
            peer._process = Process.Start(start) ?? throw new InvalidOperationException("could not start the peer silo process");
            while (await peer._process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith("PEER ", StringComparison.Ordinal)) continue;
                peer.Address = SiloAddress.Parse(line[5..]);
                peer.Description = $"separate process {peer._process.Id} at {peer.Address}";
                return peer;
            }
            throw new InvalidOperationException("the peer silo process exited without announcing its address");
        }

        public async ValueTask DisposeAsync()
        {
            if (_silo is not null) await _silo.DisposeAsync();
            if (_process is not null)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5_000)) _process.Kill();
                _process.Dispose();
            }
        }
    }
}
