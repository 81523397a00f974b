using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Agents.Inference.Attention;

namespace Agents.Bench;

/// <summary>
/// `reader`: the routed sparse-attention reader against the exact one, in the same run, on a Gaussian
/// mixture on the sphere and on uniform directions, for n from 10,000 up to --max-n. Prints recall@1/@10,
/// attention mass captured, readout error, queries/s at batch 1, 16 and 64, insert throughput, the
/// routed/exact speed ratio and the scaling exponent of time per query in n.
/// </summary>
public static class ReaderBench
{
    private static readonly int[] Batches = [1, 16, 64];

    public static Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var quick = options.Flag("quick");
        var maxN = options.Int("max-n", quick ? 30_000 : 1_000_000);
        var d = options.Int("d", 384);
        var k = options.Int("k", 10);
        var probes = options.Int("probes", 4);
        var temperature = (float)options.Double("temperature", 0.05);
        var components = options.Int("components", 1000);
        var spread = (float)options.Double("spread", 0.7);
        var qualityQueries = options.Int("queries", quick ? 64 : 128);
        var budget = TimeSpan.FromSeconds(options.Double("seconds", quick ? 0.3 : 1.5));
        var seed = options.Int("seed", Random.Shared.Next());
        var skipUniform = options.Flag("clustered-only");
        options.EnsureAllUsed();

        var sizes = new List<int>();
        for (var n = 10_000.0; n <= maxN * 1.0001; n *= Math.Sqrt(10)) sizes.Add((int)Math.Round(n / 1000) * 1000);
        if (sizes.Count == 0 || sizes[^1] != maxN) sizes.Add(maxN);
        sizes = sizes.Distinct().Where(n => n <= maxN).ToList();

        Console.WriteLine($"reader benchmark: d={d} k={k} probes={probes} temperature={temperature} seed={seed} sizes={string.Join(',', sizes)} cores={Environment.ProcessorCount}");
        Console.WriteLine("mass = exact softmax mass (over the whole bank) on the routed candidate set; err = readout relative error; q/s per batch size; speedup = routed/exact q/s");

        var summaries = new List<Summary>();
        foreach (var kind in skipUniform ? new[] { "clustered" } : ["clustered", "uniform"])
        {
            var clock = Stopwatch.StartNew();
            var data = kind == "clustered"
                ? ReaderBenchData.Clustered(maxN, d, components, spread, seed)
                : ReaderBenchData.Uniform(maxN, d, seed);
            Console.WriteLine();
            Console.WriteLine($"== {data.Name}: {maxN} x {d} generated in {clock.Elapsed.TotalSeconds:F1} s");
            Console.WriteLine($"{"n",9} {"clusters",8} {"cand",6} | {"query",9} {"r@1",6} {"r@10",6} {"mass",6} {"err",7} | {"exact q/s b1/b16/b64",24} | {"routed q/s b1/b16/b64",24} | {"speedup b1/b16/b64",20} | {"build s ex/rt",14} {"ins/s ex/rt",18}");
            foreach (var n in sizes)
            {
                var summary = Measure(data, n, k, probes, temperature, qualityQueries, budget, seed + n);
                summaries.Add(summary with { Kind = kind });
                GC.Collect();
            }
        }

        Console.WriteLine();
        foreach (var kind in summaries.Select(s => s.Kind).Distinct())
        {
            var rows = summaries.Where(s => s.Kind == kind).ToList();
            if (rows.Count < 2) continue;
            foreach (var b in Batches)
            {
                var exact = Slope(rows.Select(r => (double)r.N), rows.Select(r => 1 / r.ExactQps[b]));
                var routed = Slope(rows.Select(r => (double)r.N), rows.Select(r => 1 / r.RoutedQps[b]));
                Console.WriteLine($"scaling exponent ({kind}, batch {b}): exact {exact:F2}, routed {routed:F2}");
            }
        }

        var last = summaries.Where(s => s.Kind == "clustered").MaxBy(s => s.N)!;
        var clustered = summaries.Where(s => s.Kind == "clustered").ToList();
        var exponent = clustered.Count >= 2 ? Slope(clustered.Select(r => (double)r.N), clustered.Select(r => 1 / r.RoutedQps[64])) : double.NaN;
        Console.WriteLine($"headline: clustered, n={last.N}, perturbed-memory queries, batch 64 for speedup and exponent");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT reader n={last.N} recall10={last.Recall10:F3} mass={last.Mass:F3} speedup={last.RoutedQps[64] / last.ExactQps[64]:F1} exponent={exponent:F2}"));
        return Task.FromResult(0);
    }

    private static Summary Measure(ReaderBenchData data, int n, int k, int probes, float temperature, int queryCount, TimeSpan budget, int seed)
    {
        var d = data.Dimension;
        var ids = new long[n];
        for (var i = 0; i < n; i++) ids[i] = i;
        var bank = data.Vectors.AsSpan(0, n * d);

        using var exact = new ExactMemoryReader(d);
        var clock = Stopwatch.StartNew();
        exact.InsertRange(ids, bank);
        var exactBuild = clock.Elapsed.TotalSeconds;

        using var routed = new RoutedMemoryReader(d, options: new RoutedReaderOptions { Seed = seed });
        clock.Restart();
        routed.InsertRange(ids, bank);
        var routedBuild = clock.Elapsed.TotalSeconds;

        var read = new ReadOptions(k, probes, temperature);
        var queryKinds = new (string Name, float[] Queries)[]
        {
            ("perturbed", data.PerturbedQueries(queryCount, n, 0.3f, seed)),
            ("random", data.RandomQueries(queryCount, seed + 1)),
        };
        Summary? summary = null;
        foreach (var (name, queries) in queryKinds)
        {
            var quality = Quality(exact, routed, data, n, queries, queryCount, read);
            var exactQps = new Dictionary<int, double>();
            var routedQps = new Dictionary<int, double>();
            if (summary is null)
            {
                foreach (var b in Batches)
                    (exactQps[b], routedQps[b]) = Throughput(exact, routed, queries, queryCount, b, read, budget);
            }
            else
            {
                exactQps = summary.ExactQps;
                routedQps = summary.RoutedQps;
            }
            var (exactInsert, routedInsert) = summary is null ? (InsertRate(exact, data, n, seed), InsertRate(routed, data, n, seed)) : (summary.ExactInsert, summary.RoutedInsert);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n,9} {routed.ClusterCount,8} {quality.Candidates,6:F0} | {name,9} {quality.Recall1,6:F3} {quality.Recall10,6:F3} {quality.Mass,6:F3} {quality.ReadoutError,7:F4} | " +
                $"{Triple(exactQps),24} | {Triple(routedQps),24} | {Ratios(routedQps, exactQps),20} | {exactBuild,6:F1}/{routedBuild,-7:F1} {exactInsert,8:F0}/{routedInsert,-9:F0}"));
            summary ??= new Summary("", n, quality.Recall10, quality.Mass, exactQps, routedQps, exactInsert, routedInsert);
        }
        return summary!;
    }

    private static (double Recall1, double Recall10, double Mass, double ReadoutError, double Candidates) Quality(
        ExactMemoryReader exact, RoutedMemoryReader routed, ReaderBenchData data, int n, float[] queries, int count, ReadOptions read)
    {
        var d = data.Dimension;
        double hits1 = 0, hits10 = 0, error = 0, candidates = 0;
        var expected = new ReadResult(64, read.K, d);
        var actual = new ReadResult(64, read.K, d);
        var diff = new float[d];
        for (var start = 0; start < count; start += 64)
        {
            var b = Math.Min(64, count - start);
            exact.Read(queries.AsSpan(start * d, b * d), read, expected);
            routed.Read(queries.AsSpan(start * d, b * d), read, actual);
            for (var q = 0; q < b; q++)
            {
                if (actual.Ids(q)[0] == expected.Ids(q)[0]) hits1++;
                hits10 += actual.Ids(q).ToArray().Intersect(expected.Ids(q).ToArray()).Count() / (double)read.K;
                TensorPrimitives.Subtract(actual.Readout(q), expected.Readout(q), diff);
                error += TensorPrimitives.Norm(diff) / TensorPrimitives.Norm(expected.Readout(q));
                candidates += actual.CandidateCount(q);
            }
        }

        // Mass: the exact softmax over the whole bank, summed over the routed candidate set (a sample of queries: it is a full pass each).
        var massQueries = Math.Min(count, 16);
        double mass = 0;
        var logits = new float[n];
        var candidateIds = new HashSet<long>();
        for (var q = 0; q < massQueries; q++)
        {
            var query = queries.AsSpan(q * d, d).ToArray();
            Parallel.For(0, (n + 4095) / 4096, block =>
            {
                var end = Math.Min(n, (block + 1) * 4096);
                for (var i = block * 4096; i < end; i++)
                    logits[i] = TensorPrimitives.Dot(query, data.Vectors.AsSpan(i * d, d)) / read.Temperature;
            });
            var max = TensorPrimitives.Max(logits);
            double total = 0;
            foreach (var l in logits) total += Math.Exp(l - max);
            candidateIds.Clear();
            routed.CollectCandidates(query, read.Probes, read.K, candidateIds);
            double inside = 0;
            foreach (var id in candidateIds) inside += Math.Exp(logits[id] - max);
            mass += inside / total;
        }
        return (hits1 / count, hits10 / count, mass / massQueries, error / count, candidates / count);
    }

    /// <summary>
    /// Queries per second of both readers at batch size <paramref name="batch"/>. The machine is shared, so
    /// the two are measured in alternating short rounds (each sees the same load on average) until each has
    /// spent the time budget; a warm-up read comes first.
    /// </summary>
    private static (double Exact, double Routed) Throughput(IMemoryReader exact, IMemoryReader routed, float[] queries, int count, int batch, ReadOptions read, TimeSpan budget)
    {
        var d = exact.Dimension;
        batch = Math.Min(batch, count);
        var result = new ReadResult(batch, read.K, exact.ValueDimension);
        var readers = new[] { exact, routed };
        var elapsed = new TimeSpan[2];
        var done = new int[2];
        var start = new int[2];
        foreach (var reader in readers) reader.Read(queries.AsSpan(0, batch * d), read, result);
        var round = budget / 6;
        while (elapsed.Min() < budget)
        {
            for (var r = 0; r < 2; r++)
            {
                if (elapsed[r] >= budget) continue;
                var clock = Stopwatch.StartNew();
                do
                {
                    if (start[r] + batch > count) start[r] = 0;
                    readers[r].Read(queries.AsSpan(start[r] * d, batch * d), read, result);
                    start[r] += batch;
                    done[r] += batch;
                }
                while (clock.Elapsed < round);
                elapsed[r] += clock.Elapsed;
            }
        }
        return (done[0] / elapsed[0].TotalSeconds, done[1] / elapsed[1].TotalSeconds);
    }

    /// <summary>Streaming inserts per second (one at a time) of fresh vectors, removed again afterwards.</summary>
    private static double InsertRate(IMemoryReader reader, ReaderBenchData data, int n, int seed)
    {
        const int count = 2000;
        var d = data.Dimension;
        var fresh = data.PerturbedQueries(count, n, 0.5f, seed + 7);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) reader.Insert(10_000_000L + i, fresh.AsSpan(i * d, d));
        var rate = count / clock.Elapsed.TotalSeconds;
        for (var i = 0; i < count; i++) reader.Delete(10_000_000L + i);
        return rate;
    }

    private static string Triple(Dictionary<int, double> qps) =>
        string.Join('/', Batches.Select(b => qps[b].ToString("F0", CultureInfo.InvariantCulture)));

    private static string Ratios(Dictionary<int, double> routed, Dictionary<int, double> exact) =>
        string.Join('/', Batches.Select(b => (routed[b] / exact[b]).ToString("F1", CultureInfo.InvariantCulture)));

    /// <summary>Least-squares slope of log y against log x.</summary>
    private static double Slope(IEnumerable<double> xs, IEnumerable<double> ys)
    {
        var points = xs.Zip(ys, (x, y) => (X: Math.Log(x), Y: Math.Log(y))).ToArray();
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        return points.Sum(p => (p.X - mx) * (p.Y - my)) / points.Sum(p => (p.X - mx) * (p.X - mx));
    }

    private sealed record Summary(string Kind, int N, double Recall10, double Mass, Dictionary<int, double> ExactQps, Dictionary<int, double> RoutedQps, double ExactInsert, double RoutedInsert);
}
