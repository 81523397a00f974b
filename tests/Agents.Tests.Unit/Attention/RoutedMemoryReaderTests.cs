using Agents.Inference.Attention;
using Xunit.Abstractions;

namespace Agents.Tests.Unit.Attention;

public sealed class RoutedMemoryReaderTests(ITestOutputHelper output)
{
    private const int D = 64;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Recall_at_10_against_the_exact_reader_on_clustered_data_at_n_20000(bool halfPrecisionScan)
    {
        var seed = TestVectors.FreshSeed();
        output.WriteLine($"seed {seed}");
        var data = new TestVectors(seed);
        const int n = 20_000, batch = 200;
        var keys = data.Clustered(n, D, components: 150, spread: 0.6f, out _);
        var ids = TestVectors.Ids(n);
        using var exact = new ExactMemoryReader(D);
        using var routed = new RoutedMemoryReader(D, options: new RoutedReaderOptions { Seed = seed, HalfPrecisionScan = halfPrecisionScan });
        exact.InsertRange(ids, keys);
        routed.InsertRange(ids, keys);
        output.WriteLine($"clusters {routed.ClusterCount}, largest {routed.LargestCluster}");
        Assert.InRange(routed.ClusterCount, 100, 400); // about sqrt(n) = 141, more after balancing splits

        var queries = data.Perturbed(keys, D, batch, noise: 0.3f);
        var options = new ReadOptions(10, Probes: 8, Temperature: 0.1f);
        var expected = new ReadResult(batch, 10, D);
        var actual = new ReadResult(batch, 10, D);
        exact.Read(queries, options, expected);
        routed.Read(queries, options, actual);

        var recall = Recall(expected, actual, batch);
        output.WriteLine($"recall@10 {recall:F4}, candidates/query {Enumerable.Range(0, batch).Average(actual.CandidateCount):F0}");
        Assert.True(recall >= 0.95, $"recall@10 {recall:F4} < 0.95 (seed {seed})");
        for (var q = 0; q < batch; q++)
        {
            Assert.True(actual.CandidateCount(q) < n / 4, $"query {q} scored {actual.CandidateCount(q)} of {n}: not sparse");
            ReaderAssert.ContractHolds(actual, q, id => keys.AsSpan((int)(id - 1000) * D, D).ToArray(), 0.1f);
        }
    }

    [Fact]
    public void Single_query_reads_match_batched_reads()
    {
        var seed = TestVectors.FreshSeed();
        output.WriteLine($"seed {seed}");
        var data = new TestVectors(seed);
        const int n = 5000;
        var keys = data.Clustered(n, D, 50, 0.6f, out _);
        using var routed = new RoutedMemoryReader(D, options: new RoutedReaderOptions { Seed = seed });
        routed.InsertRange(TestVectors.Ids(n), keys);
        var queries = data.Perturbed(keys, D, 9, 0.3f);
        var batched = new ReadResult(9, 5, D);
        routed.Read(queries, new ReadOptions(5), batched);
        var single = new ReadResult(1, 5, D);
        for (var q = 0; q < 9; q++)
        {
            routed.Read(queries.AsSpan(q * D, D), new ReadOptions(5), single);
            Assert.Equal(batched.Ids(q).ToArray(), single.Ids(0).ToArray());
            Assert.Equal(batched.Weights(q).ToArray(), single.Weights(0).ToArray());
        }
    }

    [Fact]
    public void Inserts_updates_and_deletes_keep_the_contract()
    {
        var seed = TestVectors.FreshSeed();
        output.WriteLine($"seed {seed}");
        var data = new TestVectors(seed);
        const int n = 8000;
        var keys = data.Clustered(n, D, 60, 0.6f, out _);
        using var routed = new RoutedMemoryReader(D, options: new RoutedReaderOptions { Seed = seed, EmaBatchSize = 16 });
        routed.InsertRange(TestVectors.Ids(n), keys);
        MutationScenario.Run(routed, data, keys, D);
    }

    [Fact]
    public void Streaming_inserts_one_at_a_time_cluster_and_stay_accurate()
    {
        var seed = TestVectors.FreshSeed();
        output.WriteLine($"seed {seed}");
        var data = new TestVectors(seed);
        const int n = 6000;
        var keys = data.Clustered(n, D, 40, 0.6f, out _);
        using var exact = new ExactMemoryReader(D);
        using var routed = new RoutedMemoryReader(D, options: new RoutedReaderOptions { Seed = seed, InitialBatchSize = 500 });
        for (var i = 0; i < n; i++)
        {
            routed.Insert(1000 + i, keys.AsSpan(i * D, D));
            exact.Insert(1000 + i, keys.AsSpan(i * D, D));
        }
        output.WriteLine($"clusters {routed.ClusterCount}, largest {routed.LargestCluster}");
        // Grown from the first batch's ~22 clusters by balancing splits as n grew twelvefold.
        Assert.True(routed.ClusterCount > 30, $"{routed.ClusterCount} clusters");
        Assert.True(routed.LargestCluster <= 2 * Math.Sqrt(n) + 1);
        AssertRecall(exact, routed, data.Perturbed(keys, D, 100, 0.3f), 100, 0.95);
    }

    [Fact]
    public void Reassignment_moves_drifted_members_and_loses_none()
    {
        var seed = TestVectors.FreshSeed();
        output.WriteLine($"seed {seed}");
        var data = new TestVectors(seed);
        const int n = 6000;
        var first = data.Clustered(n, D, 40, 0.6f, out _);
        using var exact = new ExactMemoryReader(D);
        using var routed = new RoutedMemoryReader(D, options: new RoutedReaderOptions { Seed = seed, EmaBatchSize = 8, EmaDecay = 0.9 });
        routed.InsertRange(TestVectors.Ids(n), first);
        exact.InsertRange(TestVectors.Ids(n), first);
        // A new distribution streams in: the averages pull centroids towards it, so old members drift.
        var second = data.Clustered(4000, D, 40, 0.6f, out _);
        for (var i = 0; i < 4000; i++)
        {
            routed.Insert(50_000 + i, second.AsSpan(i * D, D));
            exact.Insert(50_000 + i, second.AsSpan(i * D, D));
        }
        routed.FlushAverages();
        var moved = routed.Reassign();
        output.WriteLine($"moved {moved}");
        Assert.True(moved > 0);
        Assert.Equal(n + 4000, routed.Count);
        var all = first.Concat(second).ToArray();
        var result = new ReadResult(1, 1, D);
        for (var i = 0; i < n + 4000; i += 37)
        {
            var id = i < n ? 1000 + i : 50_000 + i - n;
            routed.Read(all.AsSpan(i * D, D), new ReadOptions(1), result);
            Assert.Equal(1f, result.Scores(0)[0], 4); // the memory itself (or an exact duplicate) is found
            Assert.True(routed.Contains(id));
        }
        AssertRecall(exact, routed, data.Perturbed(all, D, 100, 0.3f), 100, 0.9);
    }

    [Fact]
    public async Task Background_reassignment_runs_until_cancelled()
    {
        var seed = TestVectors.FreshSeed();
        output.WriteLine($"seed {seed}");
        var data = new TestVectors(seed);
        // The same drift as above: a second distribution streams in and pulls the centroids.
        using var routed = new RoutedMemoryReader(D, options: new RoutedReaderOptions { Seed = seed, EmaBatchSize = 8, EmaDecay = 0.9 });
        routed.InsertRange(TestVectors.Ids(6000), data.Clustered(6000, D, 40, 0.6f, out _));
        var second = data.Clustered(4000, D, 40, 0.6f, out _);
        for (var i = 0; i < 4000; i++) routed.Insert(50_000 + i, second.AsSpan(i * D, D));
        routed.FlushAverages();
        using var cts = new CancellationTokenSource();
        var loop = routed.RunReassignmentAsync(TimeSpan.FromMilliseconds(1), 500, cts.Token);
        // Wait for the loop's first moves (a bound only so that a broken loop fails instead of hanging).
        for (var waited = 0; routed.MovedTotal == 0 && waited < 60_000; waited += 10) await Task.Delay(10);
        cts.Cancel();
        var moved = await loop;
        output.WriteLine($"moved in background {moved}");
        Assert.Equal(10_000, routed.Count);
        Assert.True(moved > 0);
        Assert.True(loop.IsCompletedSuccessfully); // cancellation ends the loop quietly, with its count
    }

    [Fact]
    public void A_small_bank_is_one_cluster_and_exact()
    {
        var seed = TestVectors.FreshSeed();
        var data = new TestVectors(seed);
        var keys = data.Gaussian(300, D, 1f);
        using var exact = new ExactMemoryReader(D);
        using var routed = new RoutedMemoryReader(D);
        exact.InsertRange(TestVectors.Ids(300), keys);
        routed.InsertRange(TestVectors.Ids(300), keys);
        Assert.Equal(1, routed.ClusterCount);
        AssertRecall(exact, routed, data.Gaussian(20, D, 1f), 20, 1.0);
    }

    [Fact]
    public void Probing_continues_until_k_candidates_are_seen()
    {
        var seed = TestVectors.FreshSeed();
        var data = new TestVectors(seed);
        const int n = 2000;
        var keys = data.Clustered(n, D, 30, 0.6f, out _);
        using var routed = new RoutedMemoryReader(D, options: new RoutedReaderOptions { Seed = seed });
        routed.InsertRange(TestVectors.Ids(n), keys);
        var result = new ReadResult(1, n, D);
        routed.Read(keys.AsSpan(0, D), new ReadOptions(n, Probes: 1), result);
        Assert.Equal(n, result.Ids(0).ToArray().Distinct().Count());
        Assert.Equal(n, result.CandidateCount(0));
    }

    private void AssertRecall(IMemoryReader exact, IMemoryReader routed, float[] queries, int batch, double minimum)
    {
        var expected = new ReadResult(batch, 10, D);
        var actual = new ReadResult(batch, 10, D);
        exact.Read(queries, new ReadOptions(10), expected);
        routed.Read(queries, new ReadOptions(10), actual);
        var recall = Recall(expected, actual, batch);
        output.WriteLine($"recall@10 {recall:F4}");
        Assert.True(recall >= minimum, $"recall@10 {recall:F4} < {minimum}");
    }

    private static double Recall(ReadResult expected, ReadResult actual, int batch)
    {
        var hits = 0;
        for (var q = 0; q < batch; q++)
            hits += actual.Ids(q).ToArray().Intersect(expected.Ids(q).ToArray()).Count();
        return hits / (double)(batch * expected.K);
    }
}
