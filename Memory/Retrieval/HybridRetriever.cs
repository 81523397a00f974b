using System.Numerics.Tensors;
using Agents.Memory.Model;
using Agents.Memory.Stores;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Agents.Memory.Retrieval;

/// <summary>
/// Hybrid retrieval over an <see cref="IMemoryStore"/>: vector similarity and full-text relevance (over
/// the whole record and, optionally, over its content alone) from the store, graph expansion over edges (linked notes, neighbouring turns, entity neighbourhoods) from the
/// best of those hits, fused by weighted reciprocal rank fusion, optionally re-ranked by MMR.
/// Query features adjust each signal before ranking: a named speaker favours that speaker's records and a
/// named date favours records valid then. Scope, tags, kinds and "as of" come from the
/// <see cref="MemoryFilter"/> and bind every signal, including records reached over edges.
/// </summary>
public sealed class HybridRetriever : IMemoryRetriever
{
    private readonly IMemoryStore _store;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly HybridRetrieverOptions _options;

    public HybridRetriever(IMemoryStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, HybridRetrieverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(embedder);
        _store = store;
        _embedder = embedder;
        _options = options ?? new HybridRetrieverOptions();
        _options.Validate();
    }

    public HybridRetriever(IMemoryStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, IOptions<HybridRetrieverOptions> options)
        : this(store, embedder, options.Value) { }

    public async Task<IReadOnlyList<ScoredMemory>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken)
    {
        var hits = await RetrieveAsync(request, cancellationToken).ConfigureAwait(false);
        return hits.Select(h => new ScoredMemory(h.Record, h.Score)).ToList();
    }

    /// <summary>The best <see cref="MemorySearchRequest.TopK"/> records with per-signal scores; fused
    /// scores below <see cref="MemorySearchRequest.MinScore"/> are dropped.</summary>
    public async Task<IReadOnlyList<RetrievedMemory>> RetrieveAsync(MemorySearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Filter);
        if (string.IsNullOrWhiteSpace(request.Query)) throw new ArgumentException("The search query is empty.", nameof(request));
        if (request.TopK < 1) throw new ArgumentOutOfRangeException(nameof(request), request.TopK, "TopK must be at least 1.");

        var o = _options;
        var records = new Dictionary<Guid, MemoryRecord>();
        // The store searches go together (one round trip on PostgreSQL); the query is embedded first.
        var queryVector = o.VectorWeight > 0 ? await EmbedQueryAsync(request.Query, cancellationToken).ConfigureAwait(false) : null;
        var signals = await _store.SearchSignalsAsync(new SignalSearch(request.Filter, o.CandidatesPerSignal)
        {
            Text = o.TextWeight > 0 ? request.Query : null,
            ContentText = o.ContentTextWeight > 0 ? request.Query : null,
            Vector = queryVector,
            WithEmbeddings = o.UseMmr, // only MMR compares the candidates' embeddings
        }, cancellationToken).ConfigureAwait(false);
        var (vectorHits, textHits, contentHits) = (signals.Vector, signals.Text, signals.ContentText);
        foreach (var hit in vectorHits) records[hit.Record.Id] = hit.Record;
        foreach (var hit in textHits) records[hit.Record.Id] = hit.Record;
        foreach (var hit in contentHits) records[hit.Record.Id] = hit.Record;

        var features = QueryFeatures.Analyse(request.Query, records.Values, o);
        var vector = RankSignal(vectorHits.Select(h => (h.Record, h.Score)), features);
        var text = RankSignal(textHits.Select(h => (h.Record, h.Score)), features);
        var content = RankSignal(contentHits.Select(h => (h.Record, h.Score)), features);

        // Graph expansion: seeds are the best of the first two signals; their neighbours inherit the
        // seed's standing (1 / rank) times the edge weight, summed over every edge that reaches them.
        var graph = new Dictionary<Guid, (double Raw, double Boost, int Rank)>();
        if (o.GraphWeight > 0 && o.GraphSeeds > 0 && records.Count > 0)
        {
            var seeds = ReciprocalRankFusion.Fuse<Guid>(
                [new(vector.Order, o.VectorWeight), new(text.Order, o.TextWeight)], o.RrfK)
                .Take(o.GraphSeeds).Select(p => p.Key).ToList();
            var propagated = await ExpandAsync(seeds, request.Filter, records, cancellationToken).ConfigureAwait(false);
            graph = RankSignal(propagated.Select(p => (records[p.Key], p.Value)), features).Scores;
        }
        var graphOrder = graph.OrderBy(p => p.Value.Rank).Select(p => p.Key).ToList();

        var fused = ReciprocalRankFusion.Fuse<Guid>(
            [new(vector.Order, o.VectorWeight), new(text.Order, o.TextWeight), new(content.Order, o.ContentTextWeight), new(graphOrder, o.GraphWeight)], o.RrfK);
        if (o.UseMmr) fused = await MmrAsync(fused, records, request.TopK, cancellationToken).ConfigureAwait(false);

        var results = new List<RetrievedMemory>(request.TopK);
        foreach (var (id, score) in fused)
        {
            if (results.Count == request.TopK) break;
            if (request.MinScore is { } min && score < min) continue;
            results.Add(new RetrievedMemory(records[id], score)
            {
                Vector = vector.Scores.TryGetValue(id, out var v) ? new SignalScore(v.Raw, v.Boost, v.Rank) : null,
                Text = text.Scores.TryGetValue(id, out var t) ? new SignalScore(t.Raw, t.Boost, t.Rank) : null,
                ContentText = content.Scores.TryGetValue(id, out var c) ? new SignalScore(c.Raw, c.Boost, c.Rank) : null,
                Graph = graph.TryGetValue(id, out var g) ? new SignalScore(g.Raw, g.Boost, g.Rank) : null,
            });
        }
        return results;
    }

    // The query's embedding; null when it has no direction (a query with no lexical features embeds to
    // zero), so there is no vector signal.
    private async Task<float[]?> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        var generated = await _embedder.GenerateAsync([query], null, cancellationToken).ConfigureAwait(false);
        var vector = generated[0].Vector.ToArray();
        return TensorPrimitives.Norm(vector) == 0 ? null : vector;
    }

    private async Task<Dictionary<Guid, double>> ExpandAsync(List<Guid> seeds, MemoryFilter filter, Dictionary<Guid, MemoryRecord> records, CancellationToken cancellationToken)
    {
        var propagated = new Dictionary<Guid, double>();
        if (seeds.Count == 0) return propagated;
        var seedRank = seeds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i + 1);
        var edges = await _store.GetEdgesAsync(new EdgeQuery(filter.Scope.Tenant, seeds)
        {
            Direction = EdgeDirection.Both,
            Types = _options.GraphEdgeTypes is { Count: > 0 } types ? types : null,
            AsOf = filter.AsOf,
            Limit = Math.Max(1000, seeds.Count * 50),
        }, cancellationToken).ConfigureAwait(false);
        foreach (var edge in edges)
        {
            // An edge between two seeds strengthens both; an edge to elsewhere reaches a new record.
            if (seedRank.TryGetValue(edge.FromId, out var fromRank))
                propagated[edge.ToId] = propagated.GetValueOrDefault(edge.ToId) + edge.Weight / fromRank;
            if (seedRank.TryGetValue(edge.ToId, out var toRank))
                propagated[edge.FromId] = propagated.GetValueOrDefault(edge.FromId) + edge.Weight / toRank;
        }
        var missing = propagated.Keys.Where(id => !records.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            foreach (var record in await _store.GetManyAsync(missing, cancellationToken).ConfigureAwait(false))
                records[record.Id] = record;
        }
        // The filter binds records reached over edges too: scope, kinds, tags, as-of.
        foreach (var id in propagated.Keys.ToList())
        {
            if (!records.TryGetValue(id, out var record) || !filter.Matches(record) || propagated[id] <= 0)
                propagated.Remove(id);
        }
        return propagated;
    }

    private async Task<List<KeyValuePair<Guid, double>>> MmrAsync(List<KeyValuePair<Guid, double>> fused, Dictionary<Guid, MemoryRecord> records, int topK, CancellationToken cancellationToken)
    {
        var pool = fused.Take(Math.Max(topK * 3, topK)).ToList();
        if (pool.Count == 0) return fused;
        var embeddings = new float[]?[pool.Count];
        for (var i = 0; i < pool.Count; i++)
        {
            var record = records[pool[i].Key];
            embeddings[i] = record.Embedding;
            if (embeddings[i] is null)
            {
                var generated = await _embedder.GenerateAsync([record.Content], null, cancellationToken).ConfigureAwait(false);
                embeddings[i] = generated[0].Vector.ToArray();
            }
        }
        var max = pool[0].Value;
        var relevance = pool.Select(p => max > 0 ? p.Value / max : 0).ToList();
        var order = MaximalMarginalRelevance.Select(relevance, (a, b) => VectorSimilarity.Cosine(embeddings[a], embeddings[b]), _options.MmrLambda, pool.Count);
        var reordered = order.Select(i => pool[i]).ToList();
        reordered.AddRange(fused.Skip(pool.Count));
        return reordered;
    }

    private static SignalRanking RankSignal(IEnumerable<(MemoryRecord Record, double Raw)> hits, QueryFeatures features)
    {
        var scored = hits.Select((h, i) => (h.Record.Id, h.Raw, Boost: features.BoostFor(h.Record), Index: i)).ToList();
        // Stable: equal boosted scores keep the store's order.
        scored.Sort((x, y) => (y.Raw * y.Boost).CompareTo(x.Raw * x.Boost) is var c && c != 0 ? c : x.Index.CompareTo(y.Index));
        var scores = new Dictionary<Guid, (double, double, int)>(scored.Count);
        var order = new List<Guid>(scored.Count);
        for (var i = 0; i < scored.Count; i++)
        {
            if (!scores.TryAdd(scored[i].Id, (scored[i].Raw, scored[i].Boost, i + 1))) continue;
            order.Add(scored[i].Id);
        }
        return new SignalRanking(order, scores);
    }

    private sealed record SignalRanking(List<Guid> Order, Dictionary<Guid, (double Raw, double Boost, int Rank)> Scores);
}
