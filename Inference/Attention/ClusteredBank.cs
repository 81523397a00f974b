using System.Buffers;
using System.Numerics.Tensors;

namespace Agents.Inference.Attention;

/// <summary>
/// The routed readers' storage and clustering, free of locking and of any device: about sqrt(n)
/// unit-length centroids learnt online with the Routing Transformer's moving averages, members stored
/// contiguously per cluster, balanced by splitting a cluster that outgrows its capacity.
/// </summary>
/// <remarks>
/// <para>Until the bank holds <see cref="RoutedReaderOptions.InitialBatchSize"/> memories it is a single
/// cluster (so reads are exact). Then spherical k-means on a sample of that first batch makes
/// <c>round(sqrt(n))</c> centroids and the moving averages start from its per-cluster sums and counts.</para>
/// <para>Moving averages (one step per <see cref="RoutedReaderOptions.EmaBatchSize"/> streaming inserts, as
/// the Routing Transformer steps once per batch): <c>S_j = λ S_j + (1-λ) s_j</c>,
/// <c>N_j = λ N_j + (1-λ) n_j</c>, counts Laplace-smoothed <c>(N_j + ε) / (N + Cε) · N</c>, centroid =
/// <c>S_j / N_j</c> projected onto the sphere. The decay of all clusters is kept in one scale factor, so a
/// step costs only the clusters it touched; an untouched cluster's centroid keeps its direction, which is
/// "empty clusters keep their old centroid".</para>
/// <para>Deletes do not enter the averages (the Routing Transformer has none); updates enter as new data.</para>
/// </remarks>
internal sealed class ClusteredBank
{
    private const int RouteQueryBlock = 16;
    private const int RouteCentroidBlock = 128;
    private const int InsertSubBatch = 16384;

    private readonly int _d;
    private readonly int _dv;
    private readonly RoutedReaderOptions _options;
    private readonly Random _random;
    private readonly List<Cluster> _clusters = [];
    private readonly Dictionary<long, Location> _where = [];
    private readonly Dictionary<int, List<int>> _splitChildren = [];
    private readonly List<int> _touched = [];

    private float[] _centroids;
    private double[] _emaSums;
    private double[] _emaCounts;
    private double _emaScale = 1;
    private double _emaTotal;
    private double[] _pendingSums;
    private int[] _pendingCounts;
    private int _pendingTotal;
    private int _reassignCursor;

    /// <param name="dimension">Key dimension.</param>
    /// <param name="separateValueDimension">Dimension of separate values, or 0 when keys are the values.</param>
    public ClusteredBank(int dimension, int separateValueDimension, RoutedReaderOptions options)
    {
        _d = dimension;
        _dv = separateValueDimension;
        _options = options;
        _random = options.Seed is { } seed ? new Random(seed) : new Random();
        Workers = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : Environment.ProcessorCount;
        _centroids = new float[dimension];
        _emaSums = new double[dimension];
        _emaCounts = new double[1];
        _pendingSums = new double[dimension];
        _pendingCounts = new int[1];
        _clusters.Add(new Cluster(dimension, separateValueDimension, 64));
    }

    public int Workers { get; }
    public RoutedReaderOptions Options => _options;
    public int Dimension => _d;
    public int Count => _where.Count;
    public int ClusterCount => _clusters.Count;
    public bool Initialised { get; private set; }

    /// <summary>Grows on every change: lets a device mirror know when to upload again.</summary>
    public long Version { get; private set; }

    /// <summary>The centroids, <c>ClusterCount x d</c> row-major, unit length (zero before initialisation).</summary>
    public float[] CentroidArray => _centroids;

    public Cluster ClusterAt(int cluster) => _clusters[cluster];

    /// <summary>The most members any cluster may hold before it is split.</summary>
    public int Capacity => Math.Max(16, (int)Math.Ceiling(_options.CapacityFactor * Math.Sqrt(Math.Max(1, Count))));

    public int LargestCluster
    {
        get
        {
            var max = 0;
            foreach (var c in _clusters) max = Math.Max(max, c.Count);
            return max;
        }
    }

    public bool Contains(long id) => _where.ContainsKey(id);

    /// <summary>Where a memory lives now (tests and diagnostics).</summary>
    public (int Cluster, int Slot) Locate(long id)
    {
        var at = _where[id];
        return (at.Cluster, at.Slot);
    }

    /// <summary>Adds one memory with a unit-length key.</summary>
    public void Insert(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        Version++;
        if (!Initialised)
        {
            Place(0, id, key, value);
            if (Count >= _options.InitialBatchSize) Initialise();
            return;
        }
        _splitChildren.Clear();
        var j = Place(Nearest(key), id, key, value);
        Observe(j, key);
    }

    /// <summary>Adds validated memories whose keys still need normalising.</summary>
    public void InsertRange(ReadOnlySpan<long> ids, ReadOnlySpan<float> keys, ReadOnlySpan<float> values)
    {
        Version++;
        var rows = ids.Length;
        var buffer = ArrayPool<float>.Shared.Rent(Math.Min(rows, InsertSubBatch) * _d);
        var nearest = ArrayPool<int>.Shared.Rent(Math.Min(rows, InsertSubBatch));
        try
        {
            // Before initialisation the whole call is the "first batch": it goes into the one cluster.
            var initialising = !Initialised;
            if (initialising) _clusters[0].EnsureCapacity(Count + rows);
            for (var start = 0; start < rows; start += InsertSubBatch)
            {
                var count = Math.Min(InsertSubBatch, rows - start);
                for (var r = 0; r < count; r++)
                    VectorChecks.NormalizeInto(keys.Slice((start + r) * _d, _d), buffer.AsSpan(r * _d, _d), "keys", start + r);
                if (!initialising) RouteAll(buffer, count, nearest);
                _splitChildren.Clear();
                for (var r = 0; r < count; r++)
                {
                    var key = buffer.AsSpan(r * _d, _d);
                    var value = _dv > 0 ? values.Slice((start + r) * _dv, _dv) : key;
                    if (initialising)
                    {
                        Place(0, ids[start + r], key, value);
                    }
                    else
                    {
                        var j = Place(Resolve(nearest[r], key), ids[start + r], key, value);
                        Observe(j, key);
                    }
                }
            }
            if (initialising && Count >= _options.InitialBatchSize) Initialise();
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
            ArrayPool<int>.Shared.Return(nearest);
        }
    }

    /// <summary>Replaces a memory: it leaves its cluster and is inserted again (new data for the averages).</summary>
    public void Update(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        Delete(id);
        Insert(id, key, value);
    }

    public bool Delete(long id)
    {
        if (!_where.Remove(id, out var at)) return false;
        Version++;
        RemoveAt(at.Cluster, at.Slot);
        return true;
    }

    /// <summary>
    /// Moves members whose nearest centroid is no longer their cluster's (centroids drift as the moving
    /// averages learn). Visits whole clusters round-robin until about <paramref name="maxMembers"/> members
    /// were checked; a full destination is split first, as on insert. Returns how many moved.
    /// </summary>
    public int Reassign(int maxMembers)
    {
        if (!Initialised || Count == 0) return 0;
        var moved = 0;
        var visited = 0;
        var clustersVisited = 0;
        while (visited < maxMembers && clustersVisited < _clusters.Count)
        {
            if (_reassignCursor >= _clusters.Count) _reassignCursor = 0;
            var j = _reassignCursor++;
            clustersVisited++;
            var cluster = _clusters[j];
            var m = cluster.Count;
            if (m == 0) continue;
            visited += m;
            var nearest = ArrayPool<int>.Shared.Rent(m);
            try
            {
                RouteAll(cluster.Keys, m, nearest);
                _splitChildren.Clear();
                // Downwards: removal moves the last member into the hole, and the last one was already decided.
                for (var s = m - 1; s >= 0; s--)
                {
                    var target = Resolve(nearest[s], cluster.Key(s));
                    if (target == j) continue;
                    if (_clusters[target].Count >= Capacity)
                    {
                        // Balance as on insert: the full target splits and the member goes to the nearer half.
                        var sibling = Split(target);
                        if (TensorPrimitives.Dot(cluster.Key(s), Centroid(sibling)) > TensorPrimitives.Dot(cluster.Key(s), Centroid(target))) target = sibling;
                    }
                    var id = cluster.Ids[s];
                    var slot = _clusters[target].Append(id, cluster.Key(s), cluster.Value(s));
                    _where[id] = new Location(target, slot);
                    RemoveAt(j, s);
                    moved++;
                }
                _splitChildren.Clear();
            }
            finally
            {
                ArrayPool<int>.Shared.Return(nearest);
            }
        }
        if (moved > 0) Version++;
        return moved;
    }

    /// <summary>Applies the pending moving-average step now (otherwise it runs every EmaBatchSize inserts).</summary>
    public void FlushAverages()
    {
        if (_pendingTotal > 0) EmaStep();
    }

    /// <summary>
    /// Chooses the clusters a query probes: the <paramref name="probes"/> best centroids, then more in
    /// order until they hold at least <paramref name="k"/> members. Writes them best first into
    /// <paramref name="probeList"/> (length at least ClusterCount) and returns (clusters, candidates).
    /// </summary>
    public (int Probes, int Candidates) SelectProbes(ReadOnlySpan<float> centroidScores, int probes, int k, Span<int> probeList, Span<float> scratchScores, Span<long> scratchItems)
    {
        var c = _clusters.Count;
        var p = Math.Min(probes, c);
        var heap = new TopK(scratchScores[..p], scratchItems[..p]);
        for (var j = 0; j < c; j++)
            if (centroidScores[j] > heap.Threshold) heap.Push(centroidScores[j], j);
        heap.SortDescending();
        var candidates = 0;
        for (var i = 0; i < p; i++)
        {
            probeList[i] = (int)scratchItems[i];
            candidates += _clusters[probeList[i]].Count;
        }
        if (candidates >= k) return (p, candidates);

        // Rare: the best clusters are too small for k (after deletes, or a tiny bank): take more in order.
        var all = scratchScores[..c];
        var order = scratchItems[..c];
        centroidScores[..c].CopyTo(all);
        for (var j = 0; j < c; j++) order[j] = j;
        all.Sort(order, static (a, b) => b.CompareTo(a));
        candidates = 0;
        var taken = 0;
        while (taken < c && candidates < k)
        {
            probeList[taken] = (int)order[taken];
            candidates += _clusters[probeList[taken]].Count;
            taken++;
        }
        return (taken, candidates);
    }

    /// <summary>Scores queries (unit length, row-major) against every centroid: <c>scores[q * ClusterCount + j]</c>.</summary>
    public void ScoreCentroids(ReadOnlySpan<float> queries, int queryCount, Span<float> scores)
    {
        var c = _clusters.Count;
        for (var q0 = 0; q0 < queryCount; q0 += RouteQueryBlock)
        {
            var qn = Math.Min(RouteQueryBlock, queryCount - q0);
            for (var c0 = 0; c0 < c; c0 += RouteCentroidBlock)
            {
                var cn = Math.Min(RouteCentroidBlock, c - c0);
                DotKernels.ScoreBlock(queries.Slice(q0 * _d, qn * _d), qn, _centroids.AsSpan(c0 * _d, cn * _d), cn, _d, scores[(q0 * c + c0)..], c);
            }
        }
    }

    /// <summary>The nearest centroid of each of <paramref name="rows"/> unit-length vectors, in parallel.</summary>
    public void RouteAll(float[] vectors, int rows, int[] nearest)
    {
        var c = _clusters.Count;
        var blocks = (rows + RouteQueryBlock - 1) / RouteQueryBlock;
        var next = -1;
        void Work()
        {
            var scores = ArrayPool<float>.Shared.Rent(RouteQueryBlock * c);
            try
            {
                int block;
                while ((block = Interlocked.Increment(ref next)) < blocks)
                {
                    var first = block * RouteQueryBlock;
                    var count = Math.Min(RouteQueryBlock, rows - first);
                    ScoreCentroids(vectors.AsSpan(first * _d, count * _d), count, scores);
                    for (var r = 0; r < count; r++)
                        nearest[first + r] = TensorPrimitives.IndexOfMax(scores.AsSpan(r * c, c));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scores);
            }
        }
        var workers = Math.Min(Workers, blocks);
        if (workers <= 1) Work();
        else Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ => Work());
    }

    private int Nearest(ReadOnlySpan<float> key)
    {
        var c = _clusters.Count;
        var scores = ArrayPool<float>.Shared.Rent(c);
        try
        {
            DotKernels.ScoreRows(key, _centroids, c, _d, scores);
            return TensorPrimitives.IndexOfMax(scores.AsSpan(0, c));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    /// <summary>Routing made before a split in the same batch may name the parent: pick among it and its split-offs.</summary>
    private int Resolve(int cluster, ReadOnlySpan<float> key)
    {
        if (!_splitChildren.ContainsKey(cluster)) return cluster;
        var best = cluster;
        var bestScore = TensorPrimitives.Dot(key, Centroid(cluster));
        Span<int> stack = stackalloc int[64];
        var top = 0;
        stack[top++] = cluster;
        while (top > 0)
        {
            var parent = stack[--top];
            if (!_splitChildren.TryGetValue(parent, out var children)) continue;
            foreach (var child in children)
            {
                var s = TensorPrimitives.Dot(key, Centroid(child));
                if (s > bestScore) { bestScore = s; best = child; }
                if (top < stack.Length) stack[top++] = child;
            }
        }
        return best;
    }

    private int Place(int cluster, long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        if (Initialised && _clusters[cluster].Count >= Capacity)
        {
            var sibling = Split(cluster);
            if (TensorPrimitives.Dot(key, Centroid(sibling)) > TensorPrimitives.Dot(key, Centroid(cluster))) cluster = sibling;
        }
        var slot = _clusters[cluster].Append(id, key, value);
        _where[id] = new Location(cluster, slot);
        return cluster;
    }

    private void RemoveAt(int cluster, int slot)
    {
        var moved = _clusters[cluster].RemoveSwapLast(slot);
        if (moved is { } id) _where[id] = new Location(cluster, slot);
    }

    private Span<float> Centroid(int cluster) => _centroids.AsSpan(cluster * _d, _d);

    /// <summary>Adds a streamed key to the pending moving-average step of its cluster.</summary>
    private void Observe(int cluster, ReadOnlySpan<float> key)
    {
        if (_pendingCounts[cluster]++ == 0) _touched.Add(cluster);
        var sums = _pendingSums.AsSpan(cluster * _d, _d);
        for (var i = 0; i < _d; i++) sums[i] += key[i];
        if (++_pendingTotal >= _options.EmaBatchSize) EmaStep();
    }

    private void EmaStep()
    {
        var decay = _options.EmaDecay;
        _emaScale *= decay;
        var add = (1 - decay) / _emaScale; // stored values are true values divided by the scale
        _emaTotal += add * _pendingTotal;
        foreach (var j in _touched)
        {
            var stored = _emaSums.AsSpan(j * _d, _d);
            var pending = _pendingSums.AsSpan(j * _d, _d);
            for (var i = 0; i < _d; i++) stored[i] += add * pending[i];
            _emaCounts[j] += add * _pendingCounts[j];
            pending.Clear();
        }
        if (_emaScale < 1e-150) Rescale();

        var c = _clusters.Count;
        var total = _emaScale * _emaTotal;
        var eps = _options.Epsilon;
        foreach (var j in _touched)
        {
            var count = _emaScale * _emaCounts[j];
            var smoothed = (count + eps) / (total + c * eps) * total;
            SetCentroidFromSums(j, _emaScale / smoothed);
            _pendingCounts[j] = 0;
        }
        _touched.Clear();
        _pendingTotal = 0;
        Version++;
    }

    /// <summary>centroid_j = normalise(scale * S_j); a vanishing sum keeps the old centroid.</summary>
    private void SetCentroidFromSums(int j, double scale)
    {
        var sums = _emaSums.AsSpan(j * _d, _d);
        double norm = 0;
        foreach (var s in sums) norm += s * s;
        norm = Math.Sqrt(norm) * Math.Abs(scale);
        if (!(norm > 1e-30) || !double.IsFinite(norm)) return;
        var centroid = Centroid(j);
        var factor = scale / norm;
        for (var i = 0; i < _d; i++) centroid[i] = (float)(sums[i] * factor);
    }

    private void Rescale()
    {
        for (var i = 0; i < _clusters.Count * _d; i++) _emaSums[i] *= _emaScale;
        for (var j = 0; j < _clusters.Count; j++) _emaCounts[j] *= _emaScale;
        _emaTotal *= _emaScale;
        _emaScale = 1;
    }

    private int AddCluster(ReadOnlySpan<float> centroid, int capacity)
    {
        var j = _clusters.Count;
        if ((j + 1) * _d > _centroids.Length)
        {
            var rows = Math.Max(4, (j + 1) * 2);
            Array.Resize(ref _centroids, rows * _d);
            Array.Resize(ref _emaSums, rows * _d);
            Array.Resize(ref _pendingSums, rows * _d);
            Array.Resize(ref _emaCounts, rows);
            Array.Resize(ref _pendingCounts, rows);
        }
        _clusters.Add(new Cluster(_d, _dv, capacity));
        centroid.CopyTo(Centroid(j));
        return j;
    }

    /// <summary>
    /// Balance: splits a full cluster in two by spherical 2-means over its members; the new cluster takes
    /// one side. The moving averages are divided in proportion. Returns the new cluster's index.
    /// </summary>
    private int Split(int j)
    {
        FlushAverages();
        var cluster = _clusters[j];
        var m = cluster.Count;
        var a = new float[_d];
        var b = new float[_d];
        Centroid(j).CopyTo(a);
        // Seed the second side with the member farthest from the centroid.
        var worst = 0;
        var worstScore = float.PositiveInfinity;
        for (var s = 0; s < m; s++)
        {
            var score = TensorPrimitives.Dot(cluster.Key(s), a);
            if (score < worstScore) { worstScore = score; worst = s; }
        }
        cluster.Key(worst).CopyTo(b);
        var side = new bool[m];
        var sumA = new float[_d];
        var sumB = new float[_d];
        var countB = 0;
        for (var iteration = 0; iteration < 3; iteration++)
        {
            sumA.AsSpan().Clear();
            sumB.AsSpan().Clear();
            countB = 0;
            for (var s = 0; s < m; s++)
            {
                var key = cluster.Key(s);
                side[s] = TensorPrimitives.Dot(key, b) > TensorPrimitives.Dot(key, a);
                if (side[s]) { TensorPrimitives.Add(sumB, key, sumB); countB++; }
                else TensorPrimitives.Add(sumA, key, sumA);
            }
            if (countB == 0 || countB == m) break;
            TensorPrimitives.Divide(sumA, TensorPrimitives.Norm(sumA), a);
            TensorPrimitives.Divide(sumB, TensorPrimitives.Norm(sumB), b);
        }
        if (countB == 0 || countB == m)
        {
            // Identical members: no direction separates them, so halve by position.
            countB = m / 2;
            for (var s = 0; s < m; s++) side[s] = s >= m - countB;
            a.AsSpan().Clear();
            Centroid(j).CopyTo(a);
            a.AsSpan().CopyTo(b);
        }

        var capacity = Capacity;
        var k = AddCluster(b, capacity);
        var keep = new Cluster(_d, _dv, capacity);
        var other = _clusters[k];
        for (var s = 0; s < m; s++)
        {
            var target = side[s] ? other : keep;
            var slot = target.Append(cluster.Ids[s], cluster.Key(s), cluster.Value(s));
            _where[cluster.Ids[s]] = new Location(side[s] ? k : j, slot);
        }
        _clusters[j] = keep;
        a.CopyTo(Centroid(j));

        var fraction = (double)countB / m;
        var storedCount = _emaCounts[j];
        _emaCounts[j] = storedCount * (1 - fraction);
        _emaCounts[k] = storedCount * fraction;
        for (var i = 0; i < _d; i++)
        {
            _emaSums[j * _d + i] = a[i] * _emaCounts[j];
            _emaSums[k * _d + i] = b[i] * _emaCounts[k];
        }
        if (!_splitChildren.TryGetValue(j, out var children)) _splitChildren[j] = children = [];
        children.Add(k);
        return k;
    }

    /// <summary>
    /// The first batch: spherical k-means (random distinct seeds from a sample, a few Lloyd steps) makes
    /// round(sqrt(n)) centroids, the averages start from its sums and counts, and every member moves to
    /// its nearest centroid.
    /// </summary>
    private void Initialise()
    {
        var old = _clusters[0];
        var n = old.Count;
        var c = Math.Clamp((int)Math.Round(Math.Sqrt(n)), 1, n);
        var sampleSize = Math.Min(n, Math.Max(c * _options.KMeansSamplePerCentroid, Math.Min(n, 4096)));

        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        for (var i = 0; i < sampleSize; i++)
        {
            var swap = _random.Next(i, n);
            (order[i], order[swap]) = (order[swap], order[i]);
        }
        var sample = new float[sampleSize * _d];
        for (var i = 0; i < sampleSize; i++) old.Key(order[i]).CopyTo(sample.AsSpan(i * _d, _d));

        _clusters.Clear();
        _centroids = new float[Math.Max(4, c * 2) * _d];
        _emaSums = new double[_centroids.Length];
        _pendingSums = new double[_centroids.Length];
        _emaCounts = new double[_centroids.Length / _d];
        _pendingCounts = new int[_emaCounts.Length];
        var expected = Math.Max(4, n / c + n / (4 * c));
        for (var j = 0; j < c; j++) AddCluster(sample.AsSpan(j * _d, _d), expected);

        var assignment = new int[sampleSize];
        var sums = new double[c * _d];
        var counts = new int[c];
        for (var iteration = 0; iteration < _options.KMeansIterations; iteration++)
        {
            RouteAll(sample, sampleSize, assignment);
            Array.Clear(sums);
            Array.Clear(counts);
            for (var i = 0; i < sampleSize; i++)
            {
                var j = assignment[i];
                counts[j]++;
                var key = sample.AsSpan(i * _d, _d);
                for (var t = 0; t < _d; t++) sums[j * _d + t] += key[t];
            }
            for (var j = 0; j < c; j++)
            {
                if (counts[j] == 0)
                {
                    // An empty cluster is re-seeded on a random sample point rather than wasted.
                    sample.AsSpan(_random.Next(sampleSize) * _d, _d).CopyTo(Centroid(j));
                    continue;
                }
                sums.AsSpan(j * _d, _d).CopyTo(_emaSums.AsSpan(j * _d, _d));
                SetCentroidFromSums(j, 1);
            }
        }
        for (var j = 0; j < c; j++)
        {
            _emaCounts[j] = counts[j];
            sums.AsSpan(j * _d, _d).CopyTo(_emaSums.AsSpan(j * _d, _d));
        }
        _emaScale = 1;
        _emaTotal = sampleSize;
        Initialised = true;

        var nearest = new int[n];
        RouteAll(old.Keys, n, nearest);
        _splitChildren.Clear();
        for (var s = 0; s < n; s++)
            Place(Resolve(nearest[s], old.Key(s)), old.Ids[s], old.Key(s), old.Value(s));
        _splitChildren.Clear();
        Version++;
    }

    private readonly record struct Location(int Cluster, int Slot);
}
