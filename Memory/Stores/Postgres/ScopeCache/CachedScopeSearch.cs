using System.Numerics.Tensors;
using Agents.Memory.Model;
using Agents.Memory.Stores.Text;

namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>
/// The PostgreSQL store's reads computed over a <see cref="CachedScope"/> (under its read lock), with
/// the semantics of their SQL: the filter of <see cref="MemoryFilter.Matches"/>; exact cosine search;
/// BM25 from the server's own lexemes, lengths and statistics (k1 1.2, b 0.75; N the filtered records,
/// document frequencies and average length from the matches), ties to the lower id; lists in
/// observation order.
/// </summary>
internal static class CachedScopeSearch
{
    public static List<ScoredMemory> Vector(CachedScope scope, float[] query, MemoryFilter filter, int topK, double? minScore)
    {
        var queryNorm = TensorPrimitives.Dot(query, query);
        var threshold = minScore ?? double.NegativeInfinity;
        var best = new PriorityQueue<MemoryRecord, (double Score, Guid Id)>(topK + 1, WeakestFirst.Instance);
        var ofScope = filter.Scope == scope.Scope;
        var blocks = scope.VectorsOf(filter).ToList();
        if (blocks.TrueForAll(b => b.Unpacked == 0 && (b.Count == 0 || b.Dimension == query.Length)))
        {
            foreach (var block in blocks)
                for (var i = 0; i < block.Count; i++)
                {
                    var score = TensorPrimitives.Dot(block.Vector(i), query) / Math.Sqrt((double)block.NormSquared(i) * queryNorm);
                    if (double.IsNaN(score) || score < threshold) continue;
                    // The filter only for a score that could enter the best (it reads the record).
                    if (best.Count == topK && best.TryPeek(out _, out var weakest) && score < weakest.Score) continue;
                    var record = block.Row(i).Record;
                    if (!Admits(filter, ofScope, record)) continue;
                    Offer(best, record, score, topK);
                }
            return Drain(best);
        }
        foreach (var cached in scope.Candidates(filter))
        {
            var record = cached.Record;
            if (record.Embedding is not { } embedding || embedding.Length != query.Length) continue;
            if (!Admits(filter, ofScope, record)) continue;
            // pgvector's cosine: dot over sqrt(|a|² |b|²), in double.
            var score = TensorPrimitives.Dot(embedding, query) / Math.Sqrt((double)cached.NormSquared * queryNorm);
            if (double.IsNaN(score) || score < threshold) continue;
            Offer(best, record, score, topK);
        }
        return Drain(best);
    }

    /// <summary>BM25 over <paramref name="field"/>; null when the filter leaves more than
    /// <paramref name="bm25MaxRecords"/> records (SQL ranks those: <see cref="PostgresLargeTextSearch"/>).</summary>
    public static List<ScoredMemory>? Text(CachedScope scope, IReadOnlyList<string> lexemes, MemoryFilter filter, int topK, TextField field, int bm25MaxRecords)
    {
        var n = Count(scope, filter);
        if (bm25MaxRecords <= 0 || n > bm25MaxRecords) return null;
        if (lexemes.Count == 0) return [];

        // The matched documents and, per query lexeme, how many of them hold it.
        var postings = scope.Postings(field);
        var terms = lexemes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var df = new double[terms.Length];
        var matched = new Dictionary<Guid, List<(int Term, int Frequency)>>();
        // The filter's verdicts on the query words' holders only (usually a few of the scope's records).
        var admitted = new Dictionary<Guid, bool>();
        for (var t = 0; t < terms.Length; t++)
        {
            if (postings.Of(terms[t]) is not { } holders) continue;
            foreach (var (id, frequency) in holders)
            {
                if (!admitted.TryGetValue(id, out var ok)) admitted[id] = ok = filter.Matches(scope.Records[id].Record);
                if (!ok) continue;
                df[t]++;
                if (!matched.TryGetValue(id, out var hits)) matched[id] = hits = [];
                hits.Add((t, frequency));
            }
        }
        if (matched.Count == 0) return [];
        double lengths = 0;
        foreach (var id in matched.Keys) lengths += scope.Records[id].Terms(field).Length;
        var averageLength = Math.Max(lengths / matched.Count, 1);

        var best = new PriorityQueue<MemoryRecord, (double Score, Guid Id)>(topK + 1, WeakestFirst.Instance);
        foreach (var (id, hits) in matched)
        {
            var cached = scope.Records[id];
            var length = (double)cached.Terms(field).Length;
            double score = 0;
            foreach (var (t, frequency) in hits)
            {
                var tf = (double)frequency;
                score += Bm25.Weight(Bm25.Idf(n, df[t]), tf, length, averageLength);
            }
            Offer(best, cached.Record, score, topK);
        }
        return Drain(best);
    }

    public static List<MemoryRecord> List(CachedScope scope, MemoryFilter filter, int limit, int offset) =>
        InObservationOrder(scope, filter).Skip(offset).Take(limit).ToList();

    public static List<MemoryRecord> ListLatest(CachedScope scope, MemoryFilter filter, int limit) =>
        InObservationOrder(scope, filter).TakeLast(limit).ToList();

    public static long Count(CachedScope scope, MemoryFilter filter)
    {
        var ofScope = filter.Scope == scope.Scope;
        if (ofScope && filter.AsksOnlyExpiry) return scope.CountOfKinds(filter, filter.IncludeExpired);
        long n = 0;
        foreach (var cached in scope.Candidates(filter))
            if (Admits(filter, ofScope, cached.Record)) n++;
        return n;
    }

    // The records the filter admits, oldest observed first (then created, then id, as the SQL orders them).
    private static List<MemoryRecord> InObservationOrder(CachedScope scope, MemoryFilter filter)
    {
        var ofScope = filter.Scope == scope.Scope;
        var admitted = new List<MemoryRecord>();
        foreach (var cached in scope.Candidates(filter))
            if (Admits(filter, ofScope, cached.Record)) admitted.Add(cached.Record);
        admitted.Sort(static (a, b) =>
        {
            var c = a.ObservedAt.CompareTo(b.ObservedAt);
            if (c == 0) c = a.CreatedAt.CompareTo(b.CreatedAt);
            return c != 0 ? c : a.Id.CompareTo(b.Id);
        });
        return admitted;
    }

    // The candidates are of the filter's kinds, and every record of a copy is of the copy's scope: when that
    // is the filter's (ofScope), only the rest of the filter is checked per record (the scans' hot loop).
    private static bool Admits(MemoryFilter filter, bool ofScope, MemoryRecord record) =>
        ofScope ? filter.MatchesBeyondScopeAndKinds(record) : filter.Matches(record);

    private static void Offer(PriorityQueue<MemoryRecord, (double, Guid)> best, MemoryRecord record, double score, int topK)
    {
        var key = (score, record.Id);
        if (best.Count == topK && best.TryPeek(out _, out var weakest) && WeakestFirst.Instance.Compare(key, weakest) <= 0) return;
        best.Enqueue(record, key);
        if (best.Count > topK) best.Dequeue();
    }

    private static List<ScoredMemory> Drain(PriorityQueue<MemoryRecord, (double Score, Guid Id)> best)
    {
        var hits = new ScoredMemory[best.Count];
        for (var i = hits.Length - 1; i >= 0; i--)
        {
            best.TryDequeue(out var record, out var key);
            hits[i] = new ScoredMemory(record!, key.Score);
        }
        return [.. hits];
    }

    // Best first is score descending, then id ascending (the SQL's ORDER BY score DESC, id): the weakest
    // is the lowest score, and among equal scores the highest id.
    private sealed class WeakestFirst : IComparer<(double Score, Guid Id)>
    {
        public static readonly WeakestFirst Instance = new();

        public int Compare((double Score, Guid Id) x, (double Score, Guid Id) y)
        {
            var c = x.Score.CompareTo(y.Score);
            return c != 0 ? c : y.Id.CompareTo(x.Id);
        }
    }
}
