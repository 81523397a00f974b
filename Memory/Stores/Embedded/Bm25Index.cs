using System.Buffers;

namespace Agents.Memory.Stores.Embedded;

/// <summary>
/// An inverted index with Okapi BM25 scoring (k1 = 1.2, b = 0.75) over <see cref="Text.TextAnalyzer"/>
/// terms. Documents get dense numbers so scoring accumulates into pooled arrays, not hash maps.
/// Statistics (document count, average length, document frequencies) cover the whole store.
/// Not thread-safe for writes: the store's lock guards it (concurrent scoring is fine).
/// </summary>
internal sealed class Bm25Index
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private readonly Dictionary<string, Dictionary<int, int>> _postings = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, int> _numbers = [];
    private readonly Stack<int> _free = new();
    private Guid[] _ids = new Guid[1024];
    private int[] _lengths = new int[1024];
    private int _high;
    private long _totalLength;

    public int DocumentCount => _numbers.Count;

    public void Add(Guid id, IReadOnlyList<string> terms)
    {
        if (!_free.TryPop(out var doc))
        {
            doc = _high++;
            if (doc == _ids.Length)
            {
                Array.Resize(ref _ids, _ids.Length * 2);
                Array.Resize(ref _lengths, _ids.Length);
            }
        }
        _numbers[id] = doc;
        _ids[doc] = id;
        _lengths[doc] = terms.Count;
        _totalLength += terms.Count;
        foreach (var term in terms)
        {
            if (!_postings.TryGetValue(term, out var docs)) _postings[term] = docs = [];
            docs[doc] = docs.GetValueOrDefault(doc) + 1;
        }
    }

    public void Remove(Guid id, IReadOnlyList<string> terms)
    {
        if (!_numbers.Remove(id, out var doc)) return;
        _totalLength -= _lengths[doc];
        foreach (var term in terms)
        {
            if (_postings.TryGetValue(term, out var docs) && docs.Remove(doc) && docs.Count == 0) _postings.Remove(term);
        }
        _ids[doc] = Guid.Empty;
        _lengths[doc] = 0;
        _free.Push(doc);
    }

    /// <summary>
    /// The <paramref name="topK"/> best documents by BM25 among those holding any of
    /// <paramref name="queryTerms"/> that pass <paramref name="accept"/>, best first (equal scores: smaller
    /// id first). <paramref name="accept"/> is asked only of documents that would enter the current top k,
    /// so a broad filter over many matches costs few checks. With <paramref name="candidates"/> (a scope's
    /// documents, when few), only those are scored, one posting lookup per term each.
    /// </summary>
    public List<(Guid Id, double Score)> Score(IReadOnlyList<string> queryTerms, Func<Guid, bool> accept, int topK, IReadOnlyCollection<Guid>? candidates = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        var n = _numbers.Count;
        if (n == 0) return [];
        var averageLength = Math.Max(1.0, (double)_totalLength / n);
        var terms = new List<(Dictionary<int, int> Docs, double Idf)>();
        foreach (var term in queryTerms.Distinct(StringComparer.Ordinal))
        {
            if (!_postings.TryGetValue(term, out var docs)) continue;
            terms.Add((docs, Math.Log(1 + (n - docs.Count + 0.5) / (docs.Count + 0.5))));
        }
        if (terms.Count == 0) return [];

        double Weight(int doc, int tf, double idf) => idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * _lengths[doc] / averageLength));

        var best = new TopHits(topK);
        if (candidates is not null && candidates.Count * 4 < n)
        {
            foreach (var id in candidates)
            {
                if (!_numbers.TryGetValue(id, out var doc)) continue;
                double score = 0;
                foreach (var (docs, idf) in terms)
                    if (docs.TryGetValue(doc, out var tf)) score += Weight(doc, tf, idf);
                if (score > 0 && best.WouldTake(id, score) && accept(id)) best.Add(id, score);
            }
            return best.ToList();
        }

        var scores = ArrayPool<double>.Shared.Rent(_high);
        var touched = ArrayPool<bool>.Shared.Rent(_high);
        try
        {
            Array.Clear(scores, 0, _high);
            Array.Clear(touched, 0, _high);
            var order = new List<int>();
            foreach (var (docs, idf) in terms)
            {
                foreach (var (doc, tf) in docs)
                {
                    if (!touched[doc]) { touched[doc] = true; order.Add(doc); }
                    scores[doc] += Weight(doc, tf, idf);
                }
            }
            foreach (var doc in order)
            {
                var id = _ids[doc];
                if (best.WouldTake(id, scores[doc]) && accept(id)) best.Add(id, scores[doc]);
            }
            return best.ToList();
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scores);
            ArrayPool<bool>.Shared.Return(touched);
        }
    }

    // The k best (score, id) pairs seen so far in a min-heap whose root is the weakest: lower score, or
    // equal score and larger id (so ties resolve as a full sort by score, then id, would).
    private sealed class TopHits(int capacity)
    {
        private static readonly Comparer<(double Score, Guid Id)> Weaker =
            Comparer<(double Score, Guid Id)>.Create(static (x, y) => x.Score != y.Score ? x.Score.CompareTo(y.Score) : y.Id.CompareTo(x.Id));

        private readonly PriorityQueue<Guid, (double Score, Guid Id)> _heap = new(capacity + 1, Weaker);

        public bool WouldTake(Guid id, double score) =>
            _heap.Count < capacity || (_heap.TryPeek(out _, out var weakest) && Weaker.Compare((score, id), weakest) > 0);

        public void Add(Guid id, double score)
        {
            _heap.Enqueue(id, (score, id));
            if (_heap.Count > capacity) _heap.Dequeue();
        }

        public List<(Guid Id, double Score)> ToList()
        {
            var hits = new List<(Guid Id, double Score)>(_heap.Count);
            while (_heap.TryDequeue(out var id, out var key)) hits.Add((id, key.Score));
            hits.Reverse();
            return hits;
        }
    }
}
