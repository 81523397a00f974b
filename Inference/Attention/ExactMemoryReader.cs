using System.Buffers;

namespace Agents.Inference.Attention;

/// <summary>
/// The reference reader: every query is scored against every memory. Blocked (a block of rows is
/// scored against all queries of the batch while it is in cache), SIMD (register-blocked FMA kernels)
/// and multi-threaded (workers take row blocks from a shared counter and keep their own top-k, merged
/// at the end).
/// </summary>
public sealed class ExactMemoryReader : MemoryReaderBase
{
    private const int BlockRows = 128;

    private readonly RowStore _keys;
    private readonly RowStore? _values;
    private long[] _ids = new long[1024];
    private readonly Dictionary<long, int> _rows = [];
    private readonly int _workers;

    /// <param name="dimension">Key and query dimension.</param>
    /// <param name="valueDimension">Dimension of separate values, or 0 to use each memory's key as its value.</param>
    /// <param name="maxDegreeOfParallelism">Worker threads per read (default: one per core).</param>
    public ExactMemoryReader(int dimension, int valueDimension = 0, int maxDegreeOfParallelism = 0) : base(dimension, valueDimension)
    {
        _keys = new RowStore(dimension);
        _values = HasSeparateValues ? new RowStore(ValueDimension) : null;
        _workers = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
    }

    protected override int CountCore => _keys.Count;

    protected override bool ContainsCore(long id) => _rows.ContainsKey(id);

    protected override void InsertCore(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        var row = _keys.Count;
        key.CopyTo(_keys.Append());
        if (_values is not null) value.CopyTo(_values.Append());
        if (row == _ids.Length) Array.Resize(ref _ids, _ids.Length * 2);
        _ids[row] = id;
        _rows.Add(id, row);
    }

    protected override void InsertRangeCore(ReadOnlySpan<long> ids, ReadOnlySpan<float> keys, ReadOnlySpan<float> values)
    {
        _rows.EnsureCapacity(_rows.Count + ids.Length);
        for (var r = 0; r < ids.Length; r++)
        {
            var row = _keys.Count;
            NormalizeRow(keys.Slice(r * Dimension, Dimension), _keys.Append());
            if (_values is not null) values.Slice(r * ValueDimension, ValueDimension).CopyTo(_values.Append());
            if (row == _ids.Length) Array.Resize(ref _ids, _ids.Length * 2);
            _ids[row] = ids[r];
            _rows.Add(ids[r], row);
        }
    }

    protected override void UpdateCore(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        var row = _rows[id];
        key.CopyTo(_keys.Row(row));
        if (_values is not null) value.CopyTo(_values.Row(row));
    }

    protected override bool DeleteCore(long id)
    {
        if (!_rows.Remove(id, out var row)) return false;
        var moved = _keys.RemoveSwapLast(row);
        _values?.RemoveSwapLast(row);
        if (moved >= 0)
        {
            _ids[row] = _ids[moved];
            _rows[_ids[row]] = row;
        }
        return true;
    }

    protected override void ReadCore(float[] queries, int queryCount, ReadOptions options, ReadResult result)
    {
        var k = options.K;
        var n = _keys.Count;
        var blocks = (n + BlockRows - 1) / BlockRows;
        var workers = Math.Max(1, Math.Min(_workers, blocks));
        using var heaps = new WorkerHeaps(workers, queryCount, k);
        var next = -1;
        var scan = new BlockScan(this, queries, queryCount, heaps);
        if (workers == 1) scan.Run(0, ref next, blocks);
        else Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w => scan.Run(w, ref next, blocks));

        Span<long> rows = k <= 256 ? stackalloc long[k] : new long[k];
        for (var q = 0; q < queryCount; q++)
        {
            var scores = result.ScoresBuffer(q);
            heaps.MergeInto(q, scores, rows);
            var ids = result.IdsBuffer(q);
            var weights = result.WeightsBuffer(q);
            var readout = result.ReadoutBuffer(q);
            Attention.Softmax(scores, options.Temperature, weights);
            readout.Clear();
            for (var i = 0; i < k; i++)
            {
                var row = (int)rows[i];
                ids[i] = _ids[row];
                Attention.Accumulate(_values is null ? _keys.Row(row) : _values.Row(row), weights[i], readout);
            }
            result.SetCandidateCount(q, n);
        }
    }

    /// <summary>One worker's part of a read: row blocks taken from a shared counter, scored against every query.</summary>
    private sealed class BlockScan(ExactMemoryReader reader, float[] queries, int queryCount, WorkerHeaps heaps)
    {
        public void Run(int worker, ref int next, int blocks)
        {
            var d = reader.Dimension;
            var keys = reader._keys;
            var scores = ArrayPool<float>.Shared.Rent(queryCount * BlockRows);
            try
            {
                int block;
                while ((block = Interlocked.Increment(ref next)) < blocks)
                {
                    var first = block * BlockRows;
                    var chunk = first / keys.ChunkRows;
                    var inChunk = first % keys.ChunkRows;
                    var rowCount = Math.Min(BlockRows, keys.Count - first);
                    var rows = keys.Chunk(chunk).AsSpan(inChunk * d, rowCount * d);
                    DotKernels.ScoreBlock(queries.AsSpan(0, queryCount * d), queryCount, rows, rowCount, d, scores, BlockRows);
                    for (var q = 0; q < queryCount; q++)
                    {
                        var heap = heaps.Open(worker, q);
                        var threshold = heap.Threshold;
                        var s = scores.AsSpan(q * BlockRows, rowCount);
                        for (var r = 0; r < s.Length; r++)
                        {
                            if (s[r] > threshold)
                            {
                                heap.Push(s[r], first + r);
                                threshold = heap.Threshold;
                            }
                        }
                        heaps.Close(worker, q, heap);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scores);
            }
        }
    }
}
