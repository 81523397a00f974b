using System.Diagnostics;
using System.Globalization;
using Agents.Bench.Locomo;
using Agents.Inference.Offline;
using Agents.Memory.Model;
using Agents.Memory.Retrieval;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;

namespace Agents.Bench;

/// <summary>
/// The LoCoMo retrieval benchmark (shared/data/locomo/README.md), offline: one embedded store per
/// conversation, every turn ingested as a note with its session date, questions of categories 1-4 ranked
/// by the hybrid retriever and scored over turns (Hit@5, Hit@10, TurnRecall@10). In the same run, plain
/// BM25 over single turns exactly per the README's recipe, checked against its reference table.
/// From the repository root:
/// <c>dotnet run -c Release --project bench/Agents.Bench -- locomo --data /work/shared/data/locomo/locomo-dev.json</c>
/// </summary>
public static class LocomoBench
{
    // The README's reference table (category -> Hit@5, Hit@10, TurnRecall@10); 0 = overall.
    private static readonly Dictionary<int, (double Hit5, double Hit10, double Recall10)> Reference = new()
    {
        [1] = (0.047, 0.081, 0.229),
        [2] = (0.589, 0.689, 0.710),
        [3] = (0.118, 0.137, 0.245),
        [4] = (0.560, 0.627, 0.633),
        [0] = (0.441, 0.505, 0.548),
    };

    private static readonly string[] CategoryNames = ["overall (1-4)", "1 multi-hop", "2 temporal", "3 open-domain", "4 single-hop"];

    public static async Task<int> RunAsync(string[] args)
    {
        var a = new BenchArgs(args);
        var dataPath = Path.GetFullPath(a.String("data", "../shared/data/locomo/locomo-dev.json"));
        var stopWordsPath = Path.GetFullPath(a.String("stopwords", Path.Combine(Path.GetDirectoryName(dataPath)!, "stopwords.txt")));
        var neighbours = a.Int("neighbours", 2);
        var options = new HybridRetrieverOptions
        {
            RrfK = a.Double("rrf-k", 60),
            TextWeight = a.Double("text-weight", 1.0),
            VectorWeight = a.Double("vector-weight", 0.05),
            GraphWeight = a.Double("graph-weight", 0),
            SpeakerBoost = a.Double("speaker-boost", 1.0),
            TimeBoost = a.Double("time-boost", 1.0),
            QuestionDemotion = a.Double("question-demotion", 0.5),
            CandidatesPerSignal = a.Int("candidates", 50),
            GraphSeeds = a.Int("graph-seeds", 10),
            UseMmr = a.Flag("mmr"),
            MmrLambda = a.Double("mmr-lambda", 0.7),
        };
        var dimensions = a.Int("dimensions", 384);
        // "store": notes written directly through IMemoryStore; "engine": through MemoryEngine in offline mode.
        var path = a.String("path", "store");
        if (path is not ("store" or "engine")) throw new ArgumentException($"--path must be 'store' or 'engine', not '{path}'.");
        // What a note's vector is made from: "note" (content + context, as A-MEM embeds) or "content".
        var embedText = a.String("embed-text", "note");
        if (embedText is not ("note" or "content")) throw new ArgumentException($"--embed-text must be 'note' or 'content', not '{embedText}'.");
        var embedContext = embedText == "note";
        // The hashing embedder's idf table: "corpus" = fitted on the conversation's turns as they are imported, "none" = idf-free.
        var idfMode = a.String("idf", "corpus");
        if (idfMode is not ("corpus" or "none")) throw new ArgumentException($"--idf must be 'corpus' or 'none', not '{idfMode}'.");
        var embedIdf = idfMode == "corpus";
        // Optional diagnosis file: one JSON line per question with its evidence and the first 30 turns ranked.
        var dumpPath = a.String("dump", "");
        a.EnsureAllUsed();
        using var dump = dumpPath.Length > 0 ? new StreamWriter(dumpPath) : null;

        if (!File.Exists(dataPath))
        {
            Console.Error.WriteLine($"locomo: data file '{dataPath}' does not exist (pass --data <path to locomo-dev.json>; relative paths resolve against {Environment.CurrentDirectory}).");
            return 2;
        }
        var conversations = LocomoData.Load(dataPath);
        var tokenizer = LexicalTokenizer.FromStopWordFile(stopWordsPath);
        Console.WriteLine($"locomo: {conversations.Count} conversations, {conversations.Sum(c => c.Turns.Count)} turns, {conversations.Sum(c => c.Questions.Count)} questions (categories 1-4) from {dataPath}");
        Console.WriteLine($"ours: offline hashing embedder ({dimensions} d, embeds the {embedText}, idf {idfMode}), embedded store per conversation, notes with +-{neighbours} neighbouring turns as context, " +
                          $"hybrid retrieval (text {options.TextWeight}, vector {options.VectorWeight}, graph {options.GraphWeight}, RRF k={options.RrfK}, speaker boost {options.SpeakerBoost}, time boost {options.TimeBoost}, question demotion {options.QuestionDemotion}{(options.UseMmr ? $", MMR {options.MmrLambda}" : "")})");

        var bm25 = new TurnRetrievalScore();
        var ours = new TurnRetrievalScore();
        var embedder = new HashingEmbedder(new HashingEmbedderOptions { Dimensions = dimensions });
        var builder = new ConversationNoteBuilder(neighbours);
        var ingestWatch = new Stopwatch();
        var latencies = new List<double>();
        var ingested = 0;
        // Per conversation too, to see whether a change holds across conversations or rides on one.
        var perConversation = new List<(string SampleId, TurnRetrievalScore Score)>();

        foreach (var conversation in conversations)
        {
            var conversationScore = new TurnRetrievalScore();
            perConversation.Add((conversation.SampleId, conversationScore));
            // Baseline: plain BM25 over single turns, exactly per the README.
            var scorer = new Bm25Scorer(conversation.Turns.Select(t => (IReadOnlyList<string>)tokenizer.Tokenize(t.Document)).ToList());
            foreach (var q in conversation.Questions)
            {
                var ranking = Bm25Scorer.Rank(scorer.Score(tokenizer.Tokenize(q.Question)));
                var first = TurnRetrievalScore.FirstTurns(ranking.Take(10).Select(i => (IReadOnlyList<string>)[conversation.Turns[i].DiaId]), 10);
                bm25.Add(q.Category, q.Evidence, first);
            }

            if (path == "engine")
            {
                ingested += await RunEngineAsync(conversation, dimensions, neighbours, options, [ours, conversationScore], ingestWatch, latencies);
                continue;
            }

            // Ours: the real memory path (embedded store + hybrid retriever).
            using var store = new EmbeddedMemoryStore(new MemoryStoreOptions { Dimension = dimensions });
            var scope = MemoryScope.ForRun(conversation.SampleId);
            ingestWatch.Start();
            var records = new List<MemoryRecord>(conversation.Turns.Count);
            var noteEmbedder = embedIdf
                ? new HashingEmbedder(new HashingEmbedderOptions { Dimensions = dimensions, Idf = WordIdf(conversation.Turns.Select(t => t.Document)) })
                : embedder;
            for (var i = 0; i < conversation.Turns.Count; i++)
            {
                var note = builder.Build(conversation.Turns, i, scope);
                var vector = noteEmbedder.Embed(ConversationNoteBuilder.EmbeddingText(note, embedContext));
                records.Add(note with { Embedding = vector.Any(x => x != 0) ? vector : null });
            }
            await store.AddBatchAsync(records, "locomo-bench");
            // Conversation structure as edges: each turn links to the next one of its session.
            var edges = new List<MemoryEdge>();
            for (var i = 1; i < records.Count; i++)
            {
                if (conversation.Turns[i].Session != conversation.Turns[i - 1].Session) continue;
                edges.Add(new MemoryEdge { Id = Guid.NewGuid(), Scope = scope, FromId = records[i - 1].Id, ToId = records[i].Id, Type = "next", ValidAt = conversation.Turns[i].SessionDate });
            }
            await store.AddEdgesAsync(edges);
            ingestWatch.Stop();
            ingested += records.Count;

            var retriever = new HybridRetriever(store, noteEmbedder, options);
            var filter = new MemoryFilter(scope);
            foreach (var q in conversation.Questions)
            {
                var started = Stopwatch.GetTimestamp();
                var hits = await retriever.RetrieveAsync(new MemorySearchRequest(q.Question, filter) { TopK = dump is null ? 10 : 30 }, CancellationToken.None);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                var firstTurns = TurnRetrievalScore.FirstTurns(hits.Select(h => h.Sources), 10);
                ours.Add(q.Category, q.Evidence, firstTurns);
                conversationScore.Add(q.Category, q.Evidence, firstTurns);
                dump?.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { conversation.SampleId, q.Category, q.Question, q.Evidence, Ranked = TurnRetrievalScore.FirstTurns(hits.Select(h => h.Sources), 30) }));
            }
        }

        PrintTable("BM25 over single turns (README recipe), measured", bm25, Reference);
        PrintTable("ours (hybrid retrieval over notes)", ours, null);
        Console.WriteLine();
        Console.WriteLine("ours per conversation: | conversation | n | Hit@10 | multi-hop Hit@10 | temporal Hit@10 |");
        foreach (var (sampleId, score) in perConversation)
            Console.WriteLine(FormattableString.Invariant($"| {sampleId} | {score.Get(0).Count} | {score.Get(0).Hit10:F3} | {score.Get(1).Hit10:F3} | {score.Get(2).Hit10:F3} |"));

        var mismatches = new List<string>();
        foreach (var (category, reference) in Reference)
        {
            var got = bm25.Get(category);
            Check(mismatches, category, "Hit@5", got.Hit5, reference.Hit5);
            Check(mismatches, category, "Hit@10", got.Hit10, reference.Hit10);
            Check(mismatches, category, "TurnRecall@10", got.Recall10, reference.Recall10);
        }

        latencies.Sort();
        var p95 = latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(0.95 * latencies.Count) - 1)];
        var ingestPerSecond = ingested / Math.Max(1e-9, ingestWatch.Elapsed.TotalSeconds);
        var o = ours.Get(0);
        var b = bm25.Get(0);
        Console.WriteLine($"ingest: {ingested} turns in {ingestWatch.Elapsed.TotalSeconds:F2} s ({ingestPerSecond:F0}/s, embedding + store + edges); search p50 {Percentile(latencies, 0.5):F2} ms, p95 {p95:F2} ms");
        if (mismatches.Count > 0)
        {
            Console.WriteLine("BM25 REFERENCE CHECK FAILED: the harness does not reproduce the README's table within 0.01:");
            foreach (var m in mismatches) Console.WriteLine("  " + m);
        }
        else
        {
            Console.WriteLine("BM25 reference check: reproduces the README's table within 0.01.");
        }
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT locomo hit5={o.Hit5:F3} hit10={o.Hit10:F3} turnrecall10={o.Recall10:F3} multihop_hit10={ours.Get(1).Hit10:F3} temporal_hit10={ours.Get(2).Hit10:F3} bm25_hit10={b.Hit10:F3} ratio_hit10={(b.Hit10 > 0 ? o.Hit10 / b.Hit10 : 0):F3} ingest_per_s={ingestPerSecond:F0} search_p95_ms={p95:F2}"));
        return mismatches.Count > 0 ? 1 : 0;
    }

    /// <summary>
    /// The same conversation through <see cref="MemoryEngine"/> in offline mode: each turn an add with its
    /// session date, turn id and preceding turns; the engine's background pipelines (A-MEM notes, Mem0
    /// facts, graph) build the memories; search over notes through the hybrid retriever.
    /// </summary>
    private static async Task<int> RunEngineAsync(LocomoConversation conversation, int dimensions, int neighbours, HybridRetrieverOptions options,
        IReadOnlyList<TurnRetrievalScore> scores, Stopwatch ingestWatch, List<double> latencies)
    {
        using var store = new EmbeddedMemoryStore(new MemoryStoreOptions { Dimension = dimensions });
        var embedder = new HashingEmbedder(new HashingEmbedderOptions { Dimensions = dimensions, Idf = WordIdf(conversation.Turns.Select(t => t.Document)) });
        var retriever = new HybridRetriever(store, embedder, options);
        var engineOptions = new Agents.Memory.Engine.MemoryEngineOptions();
        engineOptions.Pipelines.ContextTurns = neighbours;
        await using var engine = new Agents.Memory.Engine.MemoryEngine(store, embedder, Agents.Memory.Pipelines.MemoryModels.Offline(), engineOptions, retriever);
        var scope = MemoryScope.ForRun(conversation.SampleId);
        ingestWatch.Start();
        for (var i = 0; i < conversation.Turns.Count; i++)
        {
            var turn = conversation.Turns[i];
            var preceding = new List<Agents.Memory.Pipelines.ConversationTurn>();
            for (var j = Math.Max(0, i - neighbours); j < i; j++)
                if (conversation.Turns[j].Session == turn.Session) preceding.Add(new(conversation.Turns[j].Speaker, conversation.Turns[j].Document) { SourceId = conversation.Turns[j].DiaId });
            await engine.AddAsync(new Agents.Memory.Engine.AddMemoryRequest(scope, [new(turn.Speaker, turn.Document) { SourceId = turn.DiaId }], turn.SessionDate)
            {
                Sources = [turn.DiaId],
                Preceding = preceding,
            });
        }
        await engine.WaitForIdleAsync(scope);
        ingestWatch.Stop();
        var filter = new MemoryFilter(scope) { Kinds = [MemoryKind.Note] };
        foreach (var q in conversation.Questions)
        {
            var started = Stopwatch.GetTimestamp();
            var hits = await retriever.RetrieveAsync(new MemorySearchRequest(q.Question, filter) { TopK = 10 }, CancellationToken.None);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var firstTurns = TurnRetrievalScore.FirstTurns(hits.Select(h => h.Sources), 10);
            foreach (var score in scores) score.Add(q.Category, q.Evidence, firstTurns);
        }
        return conversation.Turns.Count;
    }

    /// <summary>Idf of each lower-cased word over the conversation's turns (the corpus being indexed).</summary>
    private static Dictionary<string, float> WordIdf(IEnumerable<string> documents)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var n = 0;
        foreach (var document in documents)
        {
            n++;
            foreach (var word in Agents.Memory.Stores.Text.TextAnalyzer.Words(document).Distinct(StringComparer.Ordinal))
                df[word] = df.GetValueOrDefault(word) + 1;
        }
        return df.ToDictionary(p => p.Key, p => (float)Math.Log(1 + (n - p.Value + 0.5) / (p.Value + 0.5)), StringComparer.Ordinal);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1))];

    private static void Check(List<string> mismatches, int category, string metric, double got, double expected)
    {
        if (Math.Abs(got - expected) > 0.01)
            mismatches.Add(FormattableString.Invariant($"{CategoryNames[category]} {metric}: measured {got:F3}, reference {expected:F3}"));
    }

    private static void PrintTable(string title, TurnRetrievalScore score, Dictionary<int, (double Hit5, double Hit10, double Recall10)>? reference)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(reference is null ? "| category | n | Hit@5 | Hit@10 | TurnRecall@10 |" : "| category | n | Hit@5 | Hit@10 | TurnRecall@10 | reference Hit@5 / Hit@10 / TurnRecall@10 |");
        Console.WriteLine(reference is null ? "|---|---|---|---|---|" : "|---|---|---|---|---|---|");
        foreach (var category in new[] { 1, 2, 3, 4, 0 })
        {
            var s = score.Get(category);
            var line = FormattableString.Invariant($"| {CategoryNames[category]} | {s.Count} | {s.Hit5:F3} | {s.Hit10:F3} | {s.Recall10:F3} |");
            if (reference is not null)
            {
                var r = reference[category];
                line += FormattableString.Invariant($" {r.Hit5:F3} / {r.Hit10:F3} / {r.Recall10:F3} |");
            }
            Console.WriteLine(line);
        }
    }
}
