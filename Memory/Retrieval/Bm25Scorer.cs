namespace Agents.Memory.Retrieval;

/// <summary>
/// Okapi BM25 over a fixed corpus of tokenised documents: idf = ln(1 + (N - n + 0.5) / (n + 0.5)),
/// term weight = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * |d| / avgdl)); each distinct query term
/// counts once. <see cref="Rank"/> breaks ties by the earlier document, so a ranking is reproducible.
/// The reference baseline of the retrieval benchmark; the stores use their own index for scale.
/// </summary>
public sealed class Bm25Scorer
{
    private readonly Dictionary<string, int>[] _termFrequencies;
    private readonly int[] _lengths;
    private readonly Dictionary<string, double> _idf = new(StringComparer.Ordinal);
    private readonly double _averageLength;

    public Bm25Scorer(IReadOnlyList<IReadOnlyList<string>> documents, double k1 = 1.2, double b = 0.75)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (!double.IsFinite(k1) || k1 < 0) throw new ArgumentOutOfRangeException(nameof(k1), k1, "k1 must be finite and non-negative.");
        if (!double.IsFinite(b) || b is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(b), b, "b must lie in [0, 1].");
        K1 = k1;
        B = b;
        _termFrequencies = new Dictionary<string, int>[documents.Count];
        _lengths = new int[documents.Count];
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        long total = 0;
        for (var d = 0; d < documents.Count; d++)
        {
            var tf = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var term in documents[d] ?? throw new ArgumentException($"Document {d} is null.", nameof(documents)))
                tf[term] = tf.GetValueOrDefault(term) + 1;
            foreach (var term in tf.Keys) documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
            _termFrequencies[d] = tf;
            _lengths[d] = documents[d].Count;
            total += documents[d].Count;
        }
        var n = documents.Count;
        _averageLength = n == 0 ? 0 : (double)total / n;
        foreach (var (term, df) in documentFrequency) _idf[term] = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
    }

    public double K1 { get; }
    public double B { get; }
    public int DocumentCount => _lengths.Length;

    /// <summary>The idf of a term (0 for a term no document holds).</summary>
    public double Idf(string term) => _idf.GetValueOrDefault(term);

    /// <summary>The score of every document for the query (distinct terms, each once).</summary>
    public double[] Score(IEnumerable<string> queryTerms)
    {
        ArgumentNullException.ThrowIfNull(queryTerms);
        var scores = new double[_lengths.Length];
        if (_averageLength == 0) return scores;
        foreach (var term in queryTerms.Distinct(StringComparer.Ordinal))
        {
            if (!_idf.TryGetValue(term, out var idf)) continue;
            for (var d = 0; d < scores.Length; d++)
            {
                if (!_termFrequencies[d].TryGetValue(term, out var tf)) continue;
                scores[d] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * _lengths[d] / _averageLength));
            }
        }
        return scores;
    }

    /// <summary>Document indexes by descending score, ties to the earlier document.</summary>
    public static int[] Rank(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var order = Enumerable.Range(0, scores.Count).ToArray();
        Array.Sort(order, (x, y) => scores[y].CompareTo(scores[x]) is var c && c != 0 ? c : x.CompareTo(y));
        return order;
    }
}
