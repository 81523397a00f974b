using System.Buffers;

namespace Agents.Inference.Attention;

/// <summary>
/// Which clusters each query of a batch probes, flattened into (query, cluster) work items. Buffers are
/// rented and given back by <see cref="Return"/>.
/// </summary>
internal sealed class RoutingPlan
{
    private RoutingPlan(int[] itemQuery, int[] itemCluster, int itemCount, int[] candidates)
    {
        ItemQuery = itemQuery;
        ItemCluster = itemCluster;
        ItemCount = itemCount;
        Candidates = candidates;
    }

    public int[] ItemQuery { get; }
    public int[] ItemCluster { get; }
    public int ItemCount { get; }

    /// <summary>Candidates (members of probed clusters) per query.</summary>
    public int[] Candidates { get; }

    public static RoutingPlan Make(ClusteredBank bank, float[] queries, int queryCount, ReadOptions options)
    {
        var c = bank.ClusterCount;
        var centroidScores = ArrayPool<float>.Shared.Rent(queryCount * c);
        var probeList = ArrayPool<int>.Shared.Rent(c);
        var scratchScores = ArrayPool<float>.Shared.Rent(c);
        var scratchItems = ArrayPool<long>.Shared.Rent(c);
        var itemQuery = ArrayPool<int>.Shared.Rent(queryCount * Math.Min(c, options.Probes));
        var itemCluster = ArrayPool<int>.Shared.Rent(queryCount * Math.Min(c, options.Probes));
        var candidates = ArrayPool<int>.Shared.Rent(queryCount);
        try
        {
            ScoreCentroids(bank, queries, queryCount, centroidScores);
            var items = 0;
            for (var q = 0; q < queryCount; q++)
            {
                var (probes, count) = bank.SelectProbes(centroidScores.AsSpan(q * c, c), options.Probes, options.K, probeList, scratchScores, scratchItems);
                candidates[q] = count;
                if (items + probes > itemQuery.Length)
                {
                    // Only when small clusters forced more probes than asked for.
                    Grow(ref itemQuery, items, items + probes + queryCount * options.Probes);
                    Grow(ref itemCluster, items, itemQuery.Length);
                }
                for (var i = 0; i < probes; i++)
                {
                    itemQuery[items] = q;
                    itemCluster[items++] = probeList[i];
                }
            }
            return new RoutingPlan(itemQuery, itemCluster, items, candidates);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(centroidScores);
            ArrayPool<int>.Shared.Return(probeList);
            ArrayPool<float>.Shared.Return(scratchScores);
            ArrayPool<long>.Shared.Return(scratchItems);
        }
    }

    public void Return()
    {
        ArrayPool<int>.Shared.Return(ItemQuery);
        ArrayPool<int>.Shared.Return(ItemCluster);
        ArrayPool<int>.Shared.Return(Candidates);
    }

    /// <summary>Centroid scores of the batch; groups of queries run in parallel when the batch is big enough to pay for it.</summary>
    private static void ScoreCentroids(ClusteredBank bank, float[] queries, int queryCount, float[] scores)
    {
        const int group = 16;
        var c = bank.ClusterCount;
        var d = bank.Dimension;
        var groups = (queryCount + group - 1) / group;
        if (groups == 1 || bank.Workers == 1)
        {
            bank.ScoreCentroids(queries.AsSpan(0, queryCount * d), queryCount, scores);
            return;
        }
        Parallel.For(0, groups, new ParallelOptions { MaxDegreeOfParallelism = bank.Workers }, g =>
        {
            var first = g * group;
            var count = Math.Min(group, queryCount - first);
            bank.ScoreCentroids(queries.AsSpan(first * d, count * d), count, scores.AsSpan(first * c, count * c));
        });
    }

    private static void Grow(ref int[] array, int used, int size)
    {
        var bigger = ArrayPool<int>.Shared.Rent(size);
        array.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<int>.Shared.Return(array);
        array = bigger;
    }
}
