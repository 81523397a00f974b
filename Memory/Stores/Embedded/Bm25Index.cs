using System.Buffers;
using Agents.Memory.Model;
using Agents.Memory.Stores.Text;

namespace Agents.Memory.Stores.Embedded;

/// <summary>
/// An inverted index with Okapi BM25 scoring (k1 = 1.2, b = 0.75) over <see cref="Text.TextAnalyzer"/>
/// terms. Documents get dense numbers; each term's postings are two parallel arrays sorted by document
/// number, so scoring walks them sequentially and accumulates into a pooled array, not hash maps, and
/// each number keeps its record, so a filter reaches it without a lookup.
/// <see cref="Score"/>'s statistics (document count, average length, document frequencies) cover the whole
/// store; <see cref="ScoreWithinFilter"/>'s cover a filter's records.
/// Not thread-safe for writes: the store's lock guards it (concurrent scoring is fine).
/// </summary>
internal sealed class Bm25Index
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private readonly Dictionary<string, PostingList> _postings = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, int> _numbers = [];
    private readonly Stack<int> _free = new();
    private Guid[] _ids = new Guid[1024];
    private MemoryRecord?[] _records = new MemoryRecord?[1024];
    private int[] _lengths = new int[1024];
    private int _high;
    private long _totalLength;

    public int DocumentCount => _numbers.Count;

    public void Add(MemoryRecord record, AnalyzedText text)
    {
        var id = record.Id;
        if (!_free.TryPop(out var doc))
        {
            doc = _high++;
            if (doc == _ids.Length)
            {
                Array.Resize(ref _ids, _ids.Length * 2);
                Array.Resize(ref _records, _ids.Length);
                Array.Resize(ref _lengths, _ids.Length);
            }
        }
        _numbers[id] = doc;
        _ids[doc] = id;
        _records[doc] = record;
        _lengths[doc] = text.Length;
        _totalLength += text.Length;
        for (var i = 0; i < text.Terms.Length; i++)
        {
            if (!_postings.TryGetValue(text.Terms[i], out var docs)) _postings[text.Terms[i]] = docs = new PostingList();
            docs.Set(doc, text.Frequencies[i]);
        }
    }

    public void Remove(Guid id, string[] terms)
    {
        if (!_numbers.Remove(id, out var doc)) return;
        _totalLength -= _lengths[doc];
        foreach (var term in terms)
        {
            if (_postings.TryGetValue(term, out var docs) && docs.Remove(doc) && docs.Count == 0) _postings.Remove(term);
        }
        _ids[doc] = Guid.Empty;
        _records[doc] = null;
        _lengths[doc] = 0;
        _free.Push(doc);
    }

    /// <summary>
    /// The <paramref name="topK"/> best records by BM25 among those holding any of
    /// <paramref name="queryTerms"/> that pass <paramref name="accept"/>, best first (equal scores: smaller
    /// id first). With <paramref name="candidates"/> (a scope's records, when few), only those are scored,
    /// one posting lookup per term each. Otherwise every posting of the query's terms is scored, the best
    /// are taken without <paramref name="accept"/>, and only if one of them fails it is the selection made
    /// again asking it; either way <paramref name="accept"/> is asked only of records that would enter the
    /// top k, so a broad filter over many matches costs few checks.
    /// </summary>
    public List<(MemoryRecord Record, double Score)> Score(IReadOnlyList<string> queryTerms, Func<MemoryRecord, bool> accept, int topK, IReadOnlyCollection<Guid>? candidates = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        var n = _numbers.Count;
        if (n == 0) return [];
        var averageLength = Math.Max(1.0, (double)_totalLength / n);
        var terms = new List<(PostingList Docs, double Idf)>(queryTerms.Count);
        var postings = 0;
        foreach (var term in queryTerms.Distinct(StringComparer.Ordinal))
        {
            if (!_postings.TryGetValue(term, out var docs)) continue;
            terms.Add((docs, Math.Log(1 + (n - docs.Count + 0.5) / (docs.Count + 0.5))));
            postings += docs.Count;
        }
        if (terms.Count == 0) return [];

        // Written exactly as before the postings became arrays: equal inputs give bit-equal scores, so
        // ties (and with them the ranking) do not move.
        double Weight(int doc, int tf, double idf) => idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * _lengths[doc] / averageLength));

        var best = new TopK<ScoredDocument>(Math.Min(topK, n));
        if (candidates is not null && candidates.Count * 4 < n)
        {
            foreach (var id in candidates)
            {
                if (!_numbers.TryGetValue(id, out var doc)) continue;
                double score = 0;
                foreach (var (docs, idf) in terms)
                    if (docs.TryGet(doc, out var tf)) score += Weight(doc, tf, idf);
                var hit = new ScoredDocument(score, id, doc);
                if (score > 0 && best.WouldTake(hit) && accept(_records[doc]!)) best.Offer(hit);
            }
            return Ranked(best);
        }

        // Every weight is positive (idf > 0, tf >= 1), so a zero score marks a document not reached yet.
        var scores = ArrayPool<double>.Shared.Rent(_high);
        var reached = ArrayPool<int>.Shared.Rent(Math.Min(_high, postings));
        try
        {
            Array.Clear(scores, 0, _high);
            var count = 0;
            foreach (var (docs, idf) in terms)
            {
                var numbers = docs.Documents;
                var frequencies = docs.Frequencies;
                for (var i = 0; i < numbers.Length; i++)
                {
                    var doc = numbers[i];
                    var before = scores[doc];
                    if (before == 0) reached[count++] = doc;
                    scores[doc] = before + Weight(doc, frequencies[i], idf);
                }
            }
            var ranked = Select(best, scores, reached.AsSpan(0, count), null);
            foreach (var (record, _) in ranked)
                if (!accept(record)) return Select(new TopK<ScoredDocument>(Math.Min(topK, n)), scores, reached.AsSpan(0, count), accept);
            return ranked;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scores);
            ArrayPool<int>.Shared.Return(reached);
        }
    }

    /// <summary>
    /// The <paramref name="topK"/> best records by BM25 among those holding any of <paramref name="queryTerms"/>
    /// that pass <paramref name="accept"/>, with the filter's own statistics, as the PostgreSQL store ranks a
    /// filter of at most its <c>Bm25MaxRecords</c> rows: N is <paramref name="filtered"/> (how many records
    /// pass the filter), a term's document frequency counts its holders that pass, and the average length is
    /// that of the matches. Terms are summed in ordinal order and ties go to the smaller id, so both stores
    /// give the same scores in the same order.
    /// </summary>
    public List<(MemoryRecord Record, double Score)> ScoreWithinFilter(IReadOnlyList<string> queryTerms, Func<MemoryRecord, bool> accept, int topK, long filtered,
        IReadOnlyCollection<Guid>? candidates = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        var terms = queryTerms.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var lists = new PostingList?[terms.Length];
        var postings = 0L;
        for (var t = 0; t < terms.Length; t++)
            if (_postings.TryGetValue(terms[t], out var docs)) postings += (lists[t] = docs).Count;
        var df = new double[terms.Length];
        var matched = new Dictionary<int, List<(int Term, int Frequency)>>();
        if (candidates is not null && (long)candidates.Count * terms.Length < postings)
        {
            // Few candidates (a scope's records) against long postings (every scope's): look each one up.
            foreach (var id in candidates)
            {
                if (!_numbers.TryGetValue(id, out var doc)) continue;
                List<(int Term, int Frequency)>? hits = null;
                for (var t = 0; t < terms.Length; t++)
                    if (lists[t] is { } docs && docs.TryGet(doc, out var tf)) (hits ??= []).Add((t, tf));
                if (hits is null || !accept(_records[doc]!)) continue;
                foreach (var (t, _) in hits) df[t]++;
                matched[doc] = hits;
            }
        }
        else
        {
            var admitted = new Dictionary<int, bool>();
            for (var t = 0; t < terms.Length; t++)
            {
                if (lists[t] is not { } docs) continue;
                var numbers = docs.Documents;
                var frequencies = docs.Frequencies;
                for (var i = 0; i < numbers.Length; i++)
                {
                    var doc = numbers[i];
                    if (!admitted.TryGetValue(doc, out var ok)) admitted[doc] = ok = accept(_records[doc]!);
                    if (!ok) continue;
                    df[t]++;
                    if (!matched.TryGetValue(doc, out var hits)) matched[doc] = hits = [];
                    hits.Add((t, frequencies[i]));
                }
            }
        }
        if (matched.Count == 0) return [];
        double lengths = 0;
        foreach (var doc in matched.Keys) lengths += _lengths[doc];
        var averageLength = Math.Max(lengths / matched.Count, 1);

        var best = new TopK<ScoredDocument>(Math.Min(topK, matched.Count));
        foreach (var (doc, hits) in matched)
        {
            double score = 0;
            foreach (var (t, frequency) in hits) score += Bm25.Weight(Bm25.Idf(filtered, df[t]), frequency, _lengths[doc], averageLength);
            var hit = new ScoredDocument(score, _ids[doc], doc);
            if (best.WouldTake(hit)) best.Offer(hit);
        }
        return Ranked(best);
    }

    // The best of the reached documents (asking accept, when given, of those that would enter), best first.
    private List<(MemoryRecord Record, double Score)> Select(TopK<ScoredDocument> best, double[] scores, ReadOnlySpan<int> reached, Func<MemoryRecord, bool>? accept)
    {
        foreach (var doc in reached)
        {
            var score = scores[doc];
            // Below the weakest kept loses whatever its id: no id read, no filter asked.
            if (best.IsFull && score < best.Weakest.Score) continue;
            var hit = new ScoredDocument(score, _ids[doc], doc);
            if (best.WouldTake(hit) && (accept is null || accept(_records[doc]!))) best.Offer(hit);
        }
        return Ranked(best);
    }

    private List<(MemoryRecord Record, double Score)> Ranked(TopK<ScoredDocument> best) =>
        best.ToSortedArray().Select(h => (_records[h.Document]!, h.Score)).ToList();

    /// <summary>A document, ordered by score, then the smaller record id first (so equal scores rank as a
    /// sort by score, then id, would rank them).</summary>
    private readonly record struct ScoredDocument(double Score, Guid Id, int Document) : IComparable<ScoredDocument>
    {
        public int CompareTo(ScoredDocument other) => Score != other.Score ? Score.CompareTo(other.Score) : other.Id.CompareTo(Id);
    }

    /// <summary>One term's postings: document numbers ascending, with their term frequencies alongside.
    /// New documents take the highest number, so adding one is usually an append.</summary>
    private sealed class PostingList
    {
        private int[] _documents = new int[4];
        private int[] _frequencies = new int[4];

        public int Count { get; private set; }

        public ReadOnlySpan<int> Documents => _documents.AsSpan(0, Count);
        public ReadOnlySpan<int> Frequencies => _frequencies.AsSpan(0, Count);

        public bool TryGet(int doc, out int tf)
        {
            var at = Documents.BinarySearch(doc);
            tf = at >= 0 ? _frequencies[at] : 0;
            return at >= 0;
        }

        public void Set(int doc, int tf)
        {
            var at = Count > 0 && _documents[Count - 1] < doc ? ~Count : Documents.BinarySearch(doc);
            if (at >= 0) { _frequencies[at] = tf; return; }
            at = ~at;
            if (Count == _documents.Length)
            {
                Array.Resize(ref _documents, Count * 2);
                Array.Resize(ref _frequencies, Count * 2);
            }
            Array.Copy(_documents, at, _documents, at + 1, Count - at);
            Array.Copy(_frequencies, at, _frequencies, at + 1, Count - at);
            _documents[at] = doc;
            _frequencies[at] = tf;
            Count++;
        }

        public bool Remove(int doc)
        {
            var at = Documents.BinarySearch(doc);
            if (at < 0) return false;
            Array.Copy(_documents, at + 1, _documents, at, Count - at - 1);
            Array.Copy(_frequencies, at + 1, _frequencies, at, Count - at - 1);
            Count--;
            return true;
        }
    }
}
