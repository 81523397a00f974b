using System.Buffers;

namespace Agents.Inference.Attention.Cuda;

/// <summary>
/// The routed reader with its scoring on a CUDA device. The clustering (centroids, moving averages,
/// balance, inserts, updates, deletes, re-assignment) is the CPU reader's own <see cref="ClusteredBank"/>;
/// the device holds a mirror of it laid out cluster by cluster in one array, uploaded again when the
/// bank has changed since the last read. A read runs three kernels (centroid scores, candidate scores
/// within the probed clusters, readout); probe choice, top-k and softmax stay on the host, so the result
/// is the same contract as the CPU readers'.
/// </summary>
/// <remarks>
/// The GPU is used by one read at a time (its buffers are shared), and every GPU operation makes the
/// context current on its own thread first. Dispose releases device memory and the context explicitly.
/// </remarks>
public sealed class CudaRoutedReader : MemoryReaderBase
{
    private readonly ClusteredBank _bank;
    private readonly CudaContext _cuda;
    private readonly Lock _gpu = new();
    private readonly KernelArguments _arguments = new(12);
    private readonly DeviceBuffer<float> _keys = new();
    private readonly DeviceBuffer<float> _values = new();
    private readonly DeviceBuffer<float> _centroids = new();
    private readonly DeviceBuffer<float> _queries = new();
    private readonly DeviceBuffer<float> _scores = new();
    private readonly DeviceBuffer<int> _itemQuery = new();
    private readonly DeviceBuffer<int> _itemFirst = new();
    private readonly DeviceBuffer<int> _itemCount = new();
    private readonly DeviceBuffer<int> _itemOut = new();
    private readonly DeviceBuffer<int> _rows = new();
    private readonly DeviceBuffer<float> _weights = new();
    private readonly DeviceBuffer<float> _readouts = new();
    private long _mirroredVersion = -1;
    private int[] _clusterFirst = [];
    private long[] _flatIds = [];

    /// <summary>Compiles the kernels for <paramref name="device"/>; throws <see cref="CudaException"/> when that fails.</summary>
    public CudaRoutedReader(CudaDeviceInfo device, int dimension, int valueDimension = 0, RoutedReaderOptions? options = null) : base(dimension, valueDimension)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!device.Available) throw new ArgumentException($"no CUDA device: {device.Reason}", nameof(device));
        options ??= new RoutedReaderOptions();
        options.Validate();
        _bank = new ClusteredBank(dimension, HasSeparateValues ? ValueDimension : 0, options);
        try
        {
            _cuda = new CudaContext(device, RoutedKernelSource.Generate(dimension, ValueDimension));
        }
        catch
        {
            _arguments.Dispose();
            throw;
        }
    }

    public int ClusterCount
    {
        get { using var _ = ReadLock(); return _bank.ClusterCount; }
    }

    public int Reassign(int maxMembers = int.MaxValue)
    {
        using var _ = WriteLock();
        return _bank.Reassign(maxMembers);
    }

    protected override int CountCore => _bank.Count;
    protected override bool ContainsCore(long id) => _bank.Contains(id);
    protected override void InsertCore(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value) => _bank.Insert(id, key, value);
    protected override void InsertRangeCore(ReadOnlySpan<long> ids, ReadOnlySpan<float> keys, ReadOnlySpan<float> values) => _bank.InsertRange(ids, keys, values);
    protected override void UpdateCore(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value) => _bank.Update(id, key, value);
    protected override bool DeleteCore(long id) => _bank.Delete(id);

    protected override void ReadCore(float[] queries, int queryCount, ReadOptions options, ReadResult result)
    {
        lock (_gpu)
        {
            _cuda.MakeCurrent();
            Mirror();
            var d = Dimension;
            var c = _bank.ClusterCount;
            var k = options.K;

            // 1. Centroid scores on the device; probe choice on the host.
            _queries.Upload(queries.AsSpan(0, queryCount * d));
            _scores.EnsureCapacity((long)queryCount * c);
            _cuda.Launch(RoutedKernelSource.ScoreCentroids, RoutedKernelSource.Blocks((long)queryCount * c), RoutedKernelSource.BlockSize,
                _arguments.Clear().Add(_queries.Pointer).Add(_centroids.Pointer).Add(_scores.Pointer).Add(queryCount).Add(c));
            var centroidScores = ArrayPool<float>.Shared.Rent(queryCount * c);
            var probeList = ArrayPool<int>.Shared.Rent(c);
            var scratchScores = ArrayPool<float>.Shared.Rent(c);
            var scratchItems = ArrayPool<long>.Shared.Rent(c);
            var items = new List<(int Query, int First, int Count, int Out)>(queryCount * options.Probes);
            var queryFirstItem = new int[queryCount + 1];
            var total = 0;
            try
            {
                _scores.Download(centroidScores.AsSpan(0, queryCount * c));
                for (var q = 0; q < queryCount; q++)
                {
                    queryFirstItem[q] = items.Count;
                    var (probes, candidates) = _bank.SelectProbes(centroidScores.AsSpan(q * c, c), options.Probes, k, probeList, scratchScores, scratchItems);
                    for (var i = 0; i < probes; i++)
                    {
                        var j = probeList[i];
                        var count = _bank.ClusterAt(j).Count;
                        if (count == 0) continue;
                        items.Add((q, _clusterFirst[j], count, total));
                        total += count;
                    }
                    result.SetCandidateCount(q, candidates);
                }
                queryFirstItem[queryCount] = items.Count;
            }
            finally
            {
                ArrayPool<float>.Shared.Return(centroidScores);
                ArrayPool<int>.Shared.Return(probeList);
                ArrayPool<float>.Shared.Return(scratchScores);
                ArrayPool<long>.Shared.Return(scratchItems);
            }

            // 2. Candidate scores on the device; top-k and softmax on the host.
            _itemQuery.Upload(items.Select(i => i.Query).ToArray());
            _itemFirst.Upload(items.Select(i => i.First).ToArray());
            _itemCount.Upload(items.Select(i => i.Count).ToArray());
            _itemOut.Upload(items.Select(i => i.Out).ToArray());
            _scores.EnsureCapacity(total);
            _cuda.Launch(RoutedKernelSource.ScoreCandidates, (uint)items.Count, RoutedKernelSource.BlockSize,
                _arguments.Clear().Add(_queries.Pointer).Add(_keys.Pointer).Add(_itemQuery.Pointer).Add(_itemFirst.Pointer)
                    .Add(_itemCount.Pointer).Add(_itemOut.Pointer).Add(_scores.Pointer).Add(items.Count));
            var candidateScores = new float[total];
            _scores.Download(candidateScores);
            var rows = new int[queryCount * k];
            var weights = new float[queryCount * k];
            var best = new long[k];
            for (var q = 0; q < queryCount; q++)
            {
                var scores = result.ScoresBuffer(q);
                var heap = new TopK(scores, best);
                for (var i = queryFirstItem[q]; i < queryFirstItem[q + 1]; i++)
                {
                    var (_, first, count, output) = items[i];
                    for (var r = 0; r < count; r++) heap.Push(candidateScores[output + r], first + r);
                }
                heap.SortDescending();
                Attention.Softmax(scores, options.Temperature, result.WeightsBuffer(q));
                result.WeightsBuffer(q).CopyTo(weights.AsSpan(q * k, k));
                var ids = result.IdsBuffer(q);
                for (var i = 0; i < k; i++)
                {
                    rows[q * k + i] = (int)best[i];
                    ids[i] = _flatIds[best[i]];
                }
            }

            // 3. Readout on the device.
            _rows.Upload(rows);
            _weights.Upload(weights);
            _readouts.EnsureCapacity((long)queryCount * ValueDimension);
            _cuda.Launch(RoutedKernelSource.Readout, RoutedKernelSource.Blocks((long)queryCount * ValueDimension), RoutedKernelSource.BlockSize,
                _arguments.Clear().Add(HasSeparateValues ? _values.Pointer : _keys.Pointer).Add(_rows.Pointer).Add(_weights.Pointer)
                    .Add(_readouts.Pointer).Add(queryCount).Add(k));
            var readouts = new float[queryCount * ValueDimension];
            _readouts.Download(readouts);
            for (var q = 0; q < queryCount; q++) readouts.AsSpan(q * ValueDimension, ValueDimension).CopyTo(result.ReadoutBuffer(q));
        }
    }

    /// <summary>Uploads the bank laid out cluster by cluster when it changed since the last read.</summary>
    private void Mirror()
    {
        if (_mirroredVersion == _bank.Version) return;
        var d = Dimension;
        var c = _bank.ClusterCount;
        var n = _bank.Count;
        _clusterFirst = new int[c];
        _flatIds = new long[n];
        var keys = new float[(long)n * d];
        var values = HasSeparateValues ? new float[(long)n * ValueDimension] : null;
        var row = 0;
        for (var j = 0; j < c; j++)
        {
            var cluster = _bank.ClusterAt(j);
            _clusterFirst[j] = row;
            cluster.Keys.AsSpan(0, cluster.Count * d).CopyTo(keys.AsSpan(row * d));
            cluster.Values?.AsSpan(0, cluster.Count * ValueDimension).CopyTo(values.AsSpan(row * ValueDimension));
            cluster.Ids.AsSpan(0, cluster.Count).CopyTo(_flatIds.AsSpan(row));
            row += cluster.Count;
        }
        _keys.Upload(keys);
        if (values is not null) _values.Upload(values);
        _centroids.Upload(_bank.CentroidArray.AsSpan(0, c * d));
        _mirroredVersion = _bank.Version;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        lock (_gpu)
        {
            // Nothing on this path throws, so every buffer and the context are released even after a device fault.
            _cuda.TryMakeCurrent();
            foreach (var buffer in new IDisposable[] { _keys, _values, _centroids, _queries, _scores, _itemQuery, _itemFirst, _itemCount, _itemOut, _rows, _weights, _readouts })
                buffer.Dispose();
            _arguments.Dispose();
            _cuda.Dispose();
        }
    }
}
