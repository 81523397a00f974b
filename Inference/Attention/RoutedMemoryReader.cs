using System.Buffers;

namespace Agents.Inference.Attention;

/// <summary>
/// The routed reader on the CPU: each query is scored against the ~sqrt(n) centroids, probes its best
/// clusters and attends exactly within them (cost about sqrt(n) + p * sqrt(n) dot products instead of n).
/// Work items are (query, probed cluster) pairs taken by workers from a shared counter, so a single
/// query's probes also run in parallel; each worker keeps its own top-k, merged at the end.
/// </summary>
public sealed class RoutedMemoryReader : MemoryReaderBase
{
    private readonly ClusteredBank _bank;
    private long _movedTotal;

    /// <param name="dimension">Key and query dimension.</param>
    /// <param name="valueDimension">Dimension of separate values, or 0 to use each memory's key as its value.</param>
    /// <param name="options">Clustering settings (defaults: the Routing Transformer's).</param>
    public RoutedMemoryReader(int dimension, int valueDimension = 0, RoutedReaderOptions? options = null) : base(dimension, valueDimension)
    {
        options ??= new RoutedReaderOptions();
        options.Validate();
        _bank = new ClusteredBank(dimension, HasSeparateValues ? ValueDimension : 0, options);
    }

    /// <summary>Clusters now (about sqrt(n) once the first batch has been clustered).</summary>
    public int ClusterCount
    {
        get { using var _ = ReadLock(); return _bank.ClusterCount; }
    }

    /// <summary>The most members one cluster holds (bounded by the balance capacity).</summary>
    public int LargestCluster
    {
        get { using var _ = ReadLock(); return _bank.LargestCluster; }
    }

    /// <summary>The cluster a memory is stored in now (for diagnostics and tests).</summary>
    public int ClusterOf(long id)
    {
        using var _ = ReadLock();
        return _bank.Contains(id) ? _bank.Locate(id).Cluster : throw new KeyNotFoundException($"memory id {id} is not in the bank.");
    }

    /// <summary>Re-assigns members whose nearest centroid changed (checks about <paramref name="maxMembers"/>); returns how many moved.</summary>
    public int Reassign(int maxMembers = int.MaxValue)
    {
        using var _ = WriteLock();
        var moved = _bank.Reassign(maxMembers);
        Interlocked.Add(ref _movedTotal, moved);
        return moved;
    }

    /// <summary>Members moved by re-assignment since the reader was made (explicit and background).</summary>
    public long MovedTotal => Interlocked.Read(ref _movedTotal);

    /// <summary>Applies pending moving-average updates now instead of at the next full batch of inserts.</summary>
    public void FlushAverages()
    {
        using var _ = WriteLock();
        _bank.FlushAverages();
    }

    /// <summary>
    /// Background re-assignment of drifted members: every <paramref name="interval"/>, checks
    /// <paramref name="membersPerSlice"/> members under the write lock (short slices so reads interleave).
    /// Runs until cancelled; returns the number of members moved.
    /// </summary>
    public async Task<long> RunReassignmentAsync(TimeSpan interval, int membersPerSlice, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(membersPerSlice, 1);
        long moved = 0;
        try
        {
            while (true)
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                moved += Reassign(membersPerSlice);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return moved;
        }
    }

    /// <summary>
    /// The ids a query would be scored against (its candidate set) with these probes and k: for measuring
    /// the attention mass the routing captures.
    /// </summary>
    public void CollectCandidates(ReadOnlySpan<float> query, int probes, int k, ICollection<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var normalised = new float[Dimension];
        VectorChecks.NormalizeInto(query, normalised, nameof(query));
        using var _ = ReadLock();
        new ReadOptions(k, probes).Validate(_bank.Count);
        var c = _bank.ClusterCount;
        var scores = new float[c];
        _bank.ScoreCentroids(normalised, 1, scores);
        var probeList = new int[c];
        var (count, _) = _bank.SelectProbes(scores, probes, k, probeList, new float[c], new long[c]);
        for (var i = 0; i < count; i++)
        {
            var cluster = _bank.ClusterAt(probeList[i]);
            for (var s = 0; s < cluster.Count; s++) ids.Add(cluster.Ids[s]);
        }
    }

    protected override int CountCore => _bank.Count;
    protected override bool ContainsCore(long id) => _bank.Contains(id);
    protected override void InsertCore(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value) => _bank.Insert(id, key, value);
    protected override void InsertRangeCore(ReadOnlySpan<long> ids, ReadOnlySpan<float> keys, ReadOnlySpan<float> values) => _bank.InsertRange(ids, keys, values);
    protected override void UpdateCore(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value) => _bank.Update(id, key, value);
    protected override bool DeleteCore(long id) => _bank.Delete(id);

    protected override void ReadCore(float[] queries, int queryCount, ReadOptions options, ReadResult result)
    {
        var plan = RoutingPlan.Make(_bank, queries, queryCount, options);
        var k = options.K;
        var half = _bank.Options.HalfPrecisionScan;
        // With the half-precision scan, workers keep more than k so that single-precision rescoring can pick the true k.
        var kept = half ? Math.Min(k * _bank.Options.RescoreFactor + 8, _bank.Count) : k;
        var keptScores = ArrayPool<float>.Shared.Rent(kept);
        var keptItems = ArrayPool<long>.Shared.Rent(kept);
        try
        {
            var workers = Math.Max(1, Math.Min(_bank.Workers, plan.ItemCount));
            using var heaps = new WorkerHeaps(workers, queryCount, kept);
            var next = -1;
            var scan = new ProbeScan(_bank, queries, plan, heaps, half);
            if (workers == 1) scan.Run(0, ref next);
            else Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w => scan.Run(w, ref next));

            Span<long> items = k <= 256 ? stackalloc long[k] : new long[k];
            var d = Dimension;
            for (var q = 0; q < queryCount; q++)
            {
                var scores = result.ScoresBuffer(q);
                if (half)
                {
                    var count = heaps.MergeInto(q, keptScores.AsSpan(0, kept), keptItems.AsSpan(0, kept));
                    var best = new TopK(scores, items);
                    var query = queries.AsSpan(q * d, d);
                    for (var i = 0; i < count; i++)
                    {
                        var item = keptItems[i];
                        var key = _bank.ClusterAt((int)(item >> 32)).Key((int)(item & 0xFFFFFFFF));
                        best.Push(System.Numerics.Tensors.TensorPrimitives.Dot(query, key), item);
                    }
                    best.SortDescending();
                }
                else
                {
                    heaps.MergeInto(q, scores, items);
                }
                var ids = result.IdsBuffer(q);
                var weights = result.WeightsBuffer(q);
                var readout = result.ReadoutBuffer(q);
                Attention.Softmax(scores, options.Temperature, weights);
                readout.Clear();
                for (var i = 0; i < k; i++)
                {
                    var cluster = _bank.ClusterAt((int)(items[i] >> 32));
                    var slot = (int)(items[i] & 0xFFFFFFFF);
                    ids[i] = cluster.Ids[slot];
                    Attention.Accumulate(cluster.Value(slot), weights[i], readout);
                }
                result.SetCandidateCount(q, plan.Candidates[q]);
            }
        }
        finally
        {
            plan.Return();
            ArrayPool<float>.Shared.Return(keptScores);
            ArrayPool<long>.Shared.Return(keptItems);
        }
    }

    /// <summary>One worker's part of a read: (query, cluster) items from a shared counter.</summary>
    private sealed class ProbeScan(ClusteredBank bank, float[] queries, RoutingPlan plan, WorkerHeaps heaps, bool half)
    {
        public void Run(int worker, ref int next)
        {
            var d = bank.Dimension;
            var scores = ArrayPool<float>.Shared.Rent(Math.Max(1, bank.LargestCluster));
            var widened = ArrayPool<float>.Shared.Rent(DotKernels.HalfRowsPerStep * d);
            try
            {
                int item;
                while ((item = Interlocked.Increment(ref next)) < plan.ItemCount)
                {
                    var q = plan.ItemQuery[item];
                    var j = plan.ItemCluster[item];
                    var cluster = bank.ClusterAt(j);
                    var m = cluster.Count;
                    if (m == 0) continue;
                    if (half) DotKernels.ScoreHalfRows(queries.AsSpan(q * d, d), cluster.HalfKeys, m, d, scores, widened);
                    else DotKernels.ScoreRows(queries.AsSpan(q * d, d), cluster.Keys, m, d, scores);
                    var heap = heaps.Open(worker, q);
                    var threshold = heap.Threshold;
                    var prefix = (long)j << 32;
                    for (var s = 0; s < m; s++)
                    {
                        if (scores[s] > threshold)
                        {
                            heap.Push(scores[s], prefix | (uint)s);
                            threshold = heap.Threshold;
                        }
                    }
                    heaps.Close(worker, q, heap);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scores);
                ArrayPool<float>.Shared.Return(widened);
            }
        }
    }
}
