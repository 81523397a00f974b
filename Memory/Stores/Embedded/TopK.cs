namespace Agents.Memory.Stores.Embedded;

/// <summary>
/// The k greatest items offered (by <typeparamref name="T"/>'s order, which must be total so the answer
/// does not depend on the order items come in): a min-heap whose root is the weakest item kept, so an
/// item that cannot beat it costs one comparison.
/// </summary>
internal sealed class TopK<T>(int capacity) where T : struct, IComparable<T>
{
    private readonly T[] _heap = new T[capacity];

    public int Count { get; private set; }

    public bool IsFull => Count == capacity;

    /// <summary>The weakest item kept (meaningful once <see cref="Count"/> is positive).</summary>
    public T Weakest => _heap[0];

    /// <summary>Whether <paramref name="item"/> would be kept: ask before a costly check (a filter) that
    /// only items entering the top k need.</summary>
    public bool WouldTake(in T item) => Count < capacity || (capacity > 0 && item.CompareTo(_heap[0]) > 0);

    public void Offer(in T item)
    {
        if (Count < capacity)
        {
            var i = Count++;
            _heap[i] = item;
            SiftUp(i);
        }
        else if (capacity > 0 && item.CompareTo(_heap[0]) > 0)
        {
            _heap[0] = item;
            SiftDown(0);
        }
    }

    /// <summary>The items kept, greatest first.</summary>
    public T[] ToSortedArray()
    {
        var items = _heap.AsSpan(0, Count).ToArray();
        Array.Sort(items, static (x, y) => y.CompareTo(x));
        return items;
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (_heap[i].CompareTo(_heap[parent]) >= 0) break;
            (_heap[i], _heap[parent]) = (_heap[parent], _heap[i]);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var weakest = i;
            var left = 2 * i + 1;
            if (left < Count && _heap[left].CompareTo(_heap[weakest]) < 0) weakest = left;
            if (left + 1 < Count && _heap[left + 1].CompareTo(_heap[weakest]) < 0) weakest = left + 1;
            if (weakest == i) return;
            (_heap[i], _heap[weakest]) = (_heap[weakest], _heap[i]);
            i = weakest;
        }
    }
}
