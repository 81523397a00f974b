using System.Buffers;

namespace Agents.Inference.Attention;

/// <summary>
/// Per-worker top-k heaps for every query of a batch (rented, not allocated): workers fill their own
/// without locks, and <see cref="MergeInto"/> combines them per query at the end.
/// </summary>
internal sealed class WorkerHeaps : IDisposable
{
    private readonly float[] _scores;
    private readonly long[] _items;
    private readonly int[] _counts;

    public WorkerHeaps(int workers, int queries, int k)
    {
        Workers = workers;
        Queries = queries;
        K = k;
        _scores = ArrayPool<float>.Shared.Rent(workers * queries * k);
        _items = ArrayPool<long>.Shared.Rent(workers * queries * k);
        _counts = ArrayPool<int>.Shared.Rent(workers * queries);
        Array.Clear(_counts, 0, workers * queries);
    }

    public int Workers { get; }
    public int Queries { get; }
    public int K { get; }

    public TopK Open(int worker, int query)
    {
        var offset = (worker * Queries + query) * K;
        return new TopK(_scores.AsSpan(offset, K), _items.AsSpan(offset, K), _counts[worker * Queries + query]);
    }

    public void Close(int worker, int query, in TopK heap) => _counts[worker * Queries + query] = heap.Count;

    /// <summary>The k best of all workers for a query, sorted best first; returns how many there are.</summary>
    public int MergeInto(int query, Span<float> scores, Span<long> items)
    {
        var best = new TopK(scores, items);
        for (var w = 0; w < Workers; w++)
        {
            var offset = (w * Queries + query) * K;
            var count = _counts[w * Queries + query];
            for (var i = 0; i < count; i++) best.Push(_scores[offset + i], _items[offset + i]);
        }
        best.SortDescending();
        return best.Count;
    }

    public void Dispose()
    {
        ArrayPool<float>.Shared.Return(_scores);
        ArrayPool<long>.Shared.Return(_items);
        ArrayPool<int>.Shared.Return(_counts);
    }
}
