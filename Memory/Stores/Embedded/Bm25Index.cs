namespace Agents.Memory.Stores.Embedded;

/// <summary>
/// An inverted index with Okapi BM25 scoring (k1 = 1.2, b = 0.75) over <see cref="Text.TextAnalyzer"/>
/// terms. Statistics (document count, average length, document frequencies) cover the whole store.
/// Not thread-safe: the store's lock guards it.
/// </summary>
internal sealed class Bm25Index
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private readonly Dictionary<string, Dictionary<Guid, int>> _postings = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, int> _lengths = [];
    private long _totalLength;

    public int DocumentCount => _lengths.Count;

    public void Add(Guid id, IReadOnlyList<string> terms)
    {
        _lengths[id] = terms.Count;
        _totalLength += terms.Count;
        foreach (var term in terms)
        {
            if (!_postings.TryGetValue(term, out var docs)) _postings[term] = docs = [];
            docs[id] = docs.GetValueOrDefault(id) + 1;
        }
    }

    public void Remove(Guid id, IReadOnlyList<string> terms)
    {
        if (!_lengths.Remove(id, out var length)) return;
        _totalLength -= length;
        foreach (var term in terms)
        {
            if (_postings.TryGetValue(term, out var docs) && docs.Remove(id) && docs.Count == 0) _postings.Remove(term);
        }
    }

    public void Clear() { _postings.Clear(); _lengths.Clear(); _totalLength = 0; }

    /// <summary>BM25 scores of the documents holding any of <paramref name="queryTerms"/> that pass <paramref name="accept"/>.</summary>
    public Dictionary<Guid, double> Score(IEnumerable<string> queryTerms, Func<Guid, bool> accept)
    {
        var scores = new Dictionary<Guid, double>();
        var accepted = new Dictionary<Guid, bool>();
        var n = _lengths.Count;
        if (n == 0) return scores;
        var averageLength = Math.Max(1.0, (double)_totalLength / n);
        foreach (var term in queryTerms.Distinct(StringComparer.Ordinal))
        {
            if (!_postings.TryGetValue(term, out var docs)) continue;
            var df = docs.Count;
            var idf = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
            foreach (var (id, tf) in docs)
            {
                if (!accepted.TryGetValue(id, out var ok)) accepted[id] = ok = accept(id);
                if (!ok) continue;
                var length = _lengths[id];
                var score = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / averageLength));
                scores[id] = scores.GetValueOrDefault(id) + score;
            }
        }
        return scores;
    }
}
