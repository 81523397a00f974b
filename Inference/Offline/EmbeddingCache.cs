namespace Agents.Inference.Offline;

/// <summary>
/// A bounded map from text to its embedding, least recently used out first, safe for concurrent use.
/// Model inference costs milliseconds per text while the same texts come back often (an entity's name,
/// a repeated query, a note embedded again after an unchanged rewrite).
/// </summary>
public sealed class EmbeddingCache
{
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<(string Text, float[] Vector)>> _index = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Text, float[] Vector)> _order = new();
    private readonly Lock _lock = new();
    private long _hits, _misses;

    public EmbeddingCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
    }

    public int Count { get { lock (_lock) return _index.Count; } }

    /// <summary>Lookups answered from the cache and not, since it was made.</summary>
    public (long Hits, long Misses) Stats { get { lock (_lock) return (_hits, _misses); } }

    public bool TryGet(string text, out float[] vector)
    {
        lock (_lock)
        {
            if (_index.TryGetValue(text, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                _hits++;
                vector = node.Value.Vector;
                return true;
            }
            _misses++;
            vector = [];
            return false;
        }
    }

    public void Add(string text, float[] vector)
    {
        if (_capacity == 0) return;
        lock (_lock)
        {
            if (_index.TryGetValue(text, out var existing))
            {
                _order.Remove(existing);
                _index.Remove(text);
            }
            _index[text] = _order.AddFirst((text, vector));
            while (_index.Count > _capacity)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _index.Remove(last.Value.Text);
            }
        }
    }
}
