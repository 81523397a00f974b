namespace Agents.Inference.Attention;

/// <summary>
/// A bounded min-heap over caller-owned spans (scores and locations), so that keeping the k best of a
/// scan allocates nothing. The heap's root is the worst kept score: the admission threshold.
/// </summary>
internal ref struct TopK
{
    private readonly Span<float> _scores;
    private readonly Span<long> _items;
    private int _count;

    public TopK(Span<float> scores, Span<long> items, int count = 0)
    {
        _scores = scores;
        _items = items;
        _count = count;
    }

    public readonly int Count => _count;

    /// <summary>The score a candidate must beat to enter (negative infinity until the heap is full).</summary>
    public readonly float Threshold => _count < _scores.Length ? float.NegativeInfinity : _scores[0];

    public void Push(float score, long item)
    {
        if (_count < _scores.Length)
        {
            var i = _count++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (_scores[parent] <= score) break;
                _scores[i] = _scores[parent];
                _items[i] = _items[parent];
                i = parent;
            }
            _scores[i] = score;
            _items[i] = item;
        }
        else if (score > _scores[0])
        {
            SiftDown(score, item);
        }
    }

    /// <summary>Sorts the kept entries best first (destroys the heap order).</summary>
    public readonly void SortDescending()
    {
        var scores = _scores[.._count];
        var items = _items[.._count];
        scores.Sort(items, static (a, b) => b.CompareTo(a));
    }

    private void SiftDown(float score, long item)
    {
        var n = _count;
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= n) break;
            if (child + 1 < n && _scores[child + 1] < _scores[child]) child++;
            if (_scores[child] >= score) break;
            _scores[i] = _scores[child];
            _items[i] = _items[child];
            i = child;
        }
        _scores[i] = score;
        _items[i] = item;
    }
}
