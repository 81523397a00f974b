using System.Diagnostics;
using System.Globalization;
using Agents.Bench.Locomo;
using Agents.Inference.Offline;
using Agents.Memory.Model;
using Agents.Memory.Retrieval;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using Microsoft.Extensions.AI;

namespace Agents.Bench;

/// <summary>
/// The LoCoMo retrieval benchmark (shared/data/locomo/README.md), through the product's own path in
/// offline mode: one embedded store and one <see cref="Agents.Memory.Engine.MemoryEngine"/> per
/// conversation with the offline models, every turn an add with its session date and turn id (the
/// engine's background pipelines write the A-MEM notes, Mem0 facts and graph), questions of categories
/// 1-4 ranked over the notes by the hybrid retriever with the embedder's profile and scored over turns
/// (Hit@5, Hit@10, TurnRecall@10). In the same run, plain BM25 over single turns exactly per the
/// README's recipe, checked against its reference table. <c>--embedder minilm,hashing</c> (the default)
/// runs the product's path once per embedder, side by side; the RESULT line is the first one's.
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
        var dimensions = a.Int("dimensions", 384);
        // Which embedders to run (the first one's figures make the RESULT line), each with its product profile.
        var embedderNames = a.String("embedder", $"{LocomoEmbedderRun.MiniLm},{LocomoEmbedderRun.Hashing}")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (embedderNames.Count == 0 || embedderNames.Any(n => n is not (LocomoEmbedderRun.MiniLm or LocomoEmbedderRun.Hashing)))
            throw new BenchUsageException("--embedder takes 'minilm', 'hashing' or both, comma-separated.");
        if (embedderNames.Contains(LocomoEmbedderRun.MiniLm) && dimensions != 384)
            throw new BenchUsageException("--dimensions: the sentence model (minilm) has 384 dimensions.");
        // The sentence model's token limit (its default: 256, as sentence-transformers cuts).
        var sentenceOptions = new SentenceEmbedderOptions { MaxTokens = a.Int("max-tokens", new SentenceEmbedderOptions().MaxTokens) };
        var runs = embedderNames.Select(n => new LocomoEmbedderRun(n, Options(a, LocomoEmbedderRun.Profile(n)), dimensions, sentenceOptions)).ToList();
        // Where the memories live: the embedded store or PostgreSQL (BM25 in SQL, HNSW), a fresh database.
        var storeKind = a.String("store", "embedded");
        if (storeKind is not ("embedded" or "postgres")) throw new BenchUsageException($"--store must be 'embedded' or 'postgres', not '{storeKind}'.");
        // Optional diagnosis file (the first embedder's): one JSON line per question with its evidence and the first 30 turns ranked.
        var dumpPath = a.String("dump", "");
        // Leave-one-conversation-out check of the retrieval weights: a small grid around the defaults is
        // scored on every conversation; for each one, the weights best on the other five are applied to it.
        var loo = a.Flag("loo");
        // The first N conversations only (quick checks; the README's BM25 reference holds for all six, so it is not checked then).
        var limit = a.Int("conversations", 0);
        // On PostgreSQL: the statements run (ingest and search together), by count.
        var statements = a.Flag("statements");
        // Turns ingested into a scratch scope of each store before the timed ingest (not counted), so that
        // ingest is timed in steady state rather than while the runtime compiles the hot paths.
        var warmupTurns = a.Int("warmup-turns", 300);
        // Each conversation's jobs claimed one at a time by its scope, as the scope's memory grain runs them.
        var grainPath = a.Flag("grain-path");
        a.EnsureAllUsed();
        foreach (var run in runs)
        {
            run.GrainPath = grainPath;
            run.Grid = loo ? WeightGrid(run.Options) : [];
            run.GridScores = run.Grid.Select(_ => new Dictionary<string, TurnRetrievalScore>(StringComparer.Ordinal)).ToList();
        }
        using var dump = dumpPath.Length > 0 ? new StreamWriter(dumpPath) : null;

        if (!File.Exists(dataPath))
        {
            Console.Error.WriteLine($"locomo: data file '{dataPath}' does not exist (pass --data <path to locomo-dev.json>; relative paths resolve against {Environment.CurrentDirectory}).");
            return 2;
        }
        var conversations = LocomoData.Load(dataPath);
        if (limit > 0) conversations = conversations.Take(limit).ToList();
        var tokenizer = LexicalTokenizer.FromStopWordFile(stopWordsPath);
        Console.WriteLine($"locomo: {conversations.Count} conversations, {conversations.Sum(c => c.Turns.Count)} turns, {conversations.Sum(c => c.Questions.Count)} questions (categories 1-4) from {dataPath}");
        foreach (var run in runs)
        {
            var options = run.Options;
            Console.WriteLine($"ours ({run.Name}): MemoryEngine with the offline models and the {run.Describe()}, {storeKind} store (one scope per conversation, {(run.GrainPath ? "its jobs claimed one at a time by the scope, as its memory grain runs them" : "its jobs run by the engine's processor")}), notes with +-{neighbours} neighbouring turns as context, " +
                              $"hybrid retrieval (text {options.TextWeight}, content {options.ContentTextWeight}, vector {options.VectorWeight}, graph {options.GraphWeight}, RRF k={options.RrfK}, speaker boost {options.SpeakerBoost}, time boost {options.TimeBoost}, question demotion {options.QuestionDemotion}, length prior {options.LengthPriorTerms}{(options.UseMmr ? $", MMR {options.MmrLambda}" : "")})");
        }

        var bm25 = new TurnRetrievalScore();

        await using var database = storeKind == "postgres" ? await BenchDatabase.CreateAsync() : null;
        if (warmupTurns > 0 && conversations.Count > 0)
        {
            var warmup = conversations[0] with { SampleId = "warmup", Turns = conversations[0].Turns.Take(warmupTurns).ToList(), Questions = [] };
            foreach (var run in runs)
            {
                await RunConversationAsync(warmup, database, run, neighbours, [], new Stopwatch(), [], null, withGrid: false, null);
                if (database is not null) await RunConversationAsync(warmup, null, run, neighbours, [], new Stopwatch(), [], null, withGrid: false, null, comparison: true);
            }
            Console.WriteLine($"warm-up: {warmup.Turns.Count} turns into a scratch scope of each store, not timed");
        }
        using var roundTrips = new DatabaseRoundTrips(statements);
        using var stages = new PipelineStageTimes();
        foreach (var conversation in conversations)
        {
            // Baseline: plain BM25 over single turns, exactly per the README.
            var scorer = new Bm25Scorer(conversation.Turns.Select(t => (IReadOnlyList<string>)tokenizer.Tokenize(t.Document)).ToList());
            foreach (var q in conversation.Questions)
            {
                var ranking = Bm25Scorer.Rank(scorer.Score(tokenizer.Tokenize(q.Question)));
                var first = TurnRetrievalScore.FirstTurns(ranking.Take(10).Select(i => (IReadOnlyList<string>)[conversation.Turns[i].DiaId]), 10);
                bm25.Add(q.Category, q.Evidence, first);
            }

            foreach (var run in runs)
            {
                var conversationScore = new TurnRetrievalScore();
                run.PerConversation.Add((conversation.SampleId, conversationScore));
                var before = stages.Snapshot();
                run.Ingested += await RunConversationAsync(conversation, database, run, neighbours, [run.Score, conversationScore], run.IngestWatch, run.Latencies, run == runs[0] ? dump : null, withGrid: true, roundTrips);
                var after = stages.Snapshot();
                PipelineStageTimes.AddDelta(run.IngestStages, before, after);
                // On PostgreSQL, the embedded store in the same run, for the ratios (same engine, same models).
                if (database is not null)
                {
                    await RunConversationAsync(conversation, null, run, neighbours, [run.EmbeddedScore], run.EmbeddedIngestWatch, run.EmbeddedLatencies, null, withGrid: false, null, comparison: true);
                    PipelineStageTimes.AddDelta(run.EmbeddedIngestStages, after, stages.Snapshot());
                }
            }
        }

        PrintTable("BM25 over single turns (README recipe), measured", bm25, Reference);
        foreach (var run in runs)
        {
            PrintTable($"ours ({run.Name}: hybrid retrieval over notes)", run.Score, null);
            Console.WriteLine();
            Console.WriteLine($"ours ({run.Name}) per conversation: | conversation | n | Hit@10 | multi-hop Hit@10 | temporal Hit@10 |");
            foreach (var (sampleId, score) in run.PerConversation)
                Console.WriteLine(FormattableString.Invariant($"| {sampleId} | {score.Get(0).Count} | {score.Get(0).Hit10:F3} | {score.Get(1).Hit10:F3} | {score.Get(2).Hit10:F3} |"));
        }

        var mismatches = new List<string>();
        foreach (var (category, reference) in limit > 0 ? [] : Reference)
        {
            var got = bm25.Get(category);
            Check(mismatches, category, "Hit@5", got.Hit5, reference.Hit5);
            Check(mismatches, category, "Hit@10", got.Hit10, reference.Hit10);
            Check(mismatches, category, "TurnRecall@10", got.Recall10, reference.Recall10);
        }

        Console.WriteLine();
        Console.WriteLine("embedders side by side: | embedder | Hit@5 | Hit@10 | TurnRecall@10 | multi-hop Hit@10 | temporal Hit@10 | ingest turns/s | search p50 / p95 ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            run.Latencies.Sort();
            var s = run.Score.Get(0);
            Console.WriteLine(FormattableString.Invariant(
                $"| {run.Name} | {s.Hit5:F3} | {s.Hit10:F3} | {s.Recall10:F3} | {run.Score.Get(1).Hit10:F3} | {run.Score.Get(2).Hit10:F3} | {IngestPerSecond(run):F0} | {Percentile(run.Latencies, 0.5):F2} / {Percentile(run.Latencies, 0.95):F2} |"));
        }
        foreach (var run in runs)
            Console.WriteLine($"ingest ({run.Name}): {run.Ingested} turns in {run.IngestWatch.Elapsed.TotalSeconds:F2} s ({IngestPerSecond(run):F0}/s through the engine: raw input, notes, facts, graph); search p50 {Percentile(run.Latencies, 0.5):F2} ms, p95 {Percentile(run.Latencies, 0.95):F2} ms{run.CacheReport()}");
        if (mismatches.Count > 0)
        {
            Console.WriteLine("BM25 REFERENCE CHECK FAILED: the harness does not reproduce the README's table within 0.01:");
            foreach (var m in mismatches) Console.WriteLine("  " + m);
        }
        else
        {
            Console.WriteLine(limit > 0 ? $"BM25 reference check: not run (--conversations {limit})." : "BM25 reference check: reproduces the README's table within 0.01.");
        }
        if (loo)
            foreach (var run in runs) PrintLeaveOneOut(run, run.PerConversation.Select(p => p.SampleId).ToList());
        var lead = runs[0];
        var o = lead.Score.Get(0);
        var b = bm25.Get(0);
        var comparison = "";
        if (database is not null)
        {
            // The same run on the embedded store: its figures and PostgreSQL's as a multiple of them.
            lead.EmbeddedLatencies.Sort();
            var embeddedP95 = Percentile(lead.EmbeddedLatencies, 0.95);
            var embeddedIngest = lead.Ingested / Math.Max(1e-9, lead.EmbeddedIngestWatch.Elapsed.TotalSeconds);
            var questions = lead.Score.Get(0).Count;
            Console.WriteLine(FormattableString.Invariant(
                $"PostgreSQL round trips ({lead.Name}): {lead.IngestRoundTrips / (double)Math.Max(1, lead.Ingested):F2} per turn ingested ({lead.IngestRoundTripMs / Math.Max(1, lead.Ingested):F2} ms of client wait per turn), {lead.SearchRoundTrips / (double)Math.Max(1, questions):F2} per question"));
            Console.WriteLine($"ingest job stages, mean per job ({lead.Name}): PostgreSQL {PipelineStageTimes.MeanPerJob(lead.IngestStages)}; embedded {PipelineStageTimes.MeanPerJob(lead.EmbeddedIngestStages)}");
            if (statements)
                foreach (var (statement, count, ms) in roundTrips.ByStatement().Take(40))
                    Console.WriteLine(FormattableString.Invariant($"  {count / (double)Math.Max(1, runs.Sum(r => r.Ingested)),6:F2}/turn {ms / Math.Max(1, count),7:F2} ms  {statement}"));
            Console.WriteLine($"embedded store in the same run ({lead.Name}): hit10 {lead.EmbeddedScore.Get(0).Hit10:F3}, ingest {embeddedIngest:F0}/s, search p50 {Percentile(lead.EmbeddedLatencies, 0.5):F2} ms, p95 {embeddedP95:F2} ms");
            comparison = FormattableString.Invariant(
                $" embedded_hit10={lead.EmbeddedScore.Get(0).Hit10:F3} embedded_ingest_per_s={embeddedIngest:F0} embedded_search_p95_ms={embeddedP95:F2} ingest_ratio={IngestPerSecond(lead) / Math.Max(1e-9, embeddedIngest):F3} search_p95_ratio={Percentile(lead.Latencies, 0.95) / Math.Max(1e-9, embeddedP95):F2} round_trips_per_turn={lead.IngestRoundTrips / (double)Math.Max(1, lead.Ingested):F2} round_trips_per_question={lead.SearchRoundTrips / (double)Math.Max(1, questions):F2}");
        }
        var others = string.Concat(runs.Skip(1).Select(r => FormattableString.Invariant(
            $" {r.Name}_hit10={r.Score.Get(0).Hit10:F3} {r.Name}_multihop_hit10={r.Score.Get(1).Hit10:F3} {r.Name}_ingest_per_s={IngestPerSecond(r):F0}")));
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT locomo embedder={lead.Name} hit5={o.Hit5:F3} hit10={o.Hit10:F3} turnrecall10={o.Recall10:F3} multihop_hit10={lead.Score.Get(1).Hit10:F3} temporal_hit10={lead.Score.Get(2).Hit10:F3} bm25_hit10={b.Hit10:F3} ratio_hit10={(b.Hit10 > 0 ? o.Hit10 / b.Hit10 : 0):F3} ingest_per_s={IngestPerSecond(lead):F0} search_p95_ms={Percentile(lead.Latencies, 0.95):F2}{others}") + comparison + (lead.GrainPath ? " path=grain" : ""));
        return mismatches.Count > 0 ? 1 : 0;
    }

    private static double IngestPerSecond(LocomoEmbedderRun run) => run.Ingested / Math.Max(1e-9, run.IngestWatch.Elapsed.TotalSeconds);

    /// <summary>An embedder's profile with the weights given on the command line laid over it (to study them).</summary>
    private static HybridRetrieverOptions Options(BenchArgs a, HybridRetrieverOptions defaults) =>
        new()
        {
            RrfK = a.Double("rrf-k", defaults.RrfK),
            TextWeight = a.Double("text-weight", defaults.TextWeight),
            VectorWeight = a.Double("vector-weight", defaults.VectorWeight),
            ContentTextWeight = a.Double("content-weight", defaults.ContentTextWeight),
            GraphWeight = a.Double("graph-weight", defaults.GraphWeight),
            SpeakerBoost = a.Double("speaker-boost", defaults.SpeakerBoost),
            TimeBoost = a.Double("time-boost", defaults.TimeBoost),
            QuestionDemotion = a.Double("question-demotion", defaults.QuestionDemotion),
            LengthPriorTerms = a.Double("length-prior", defaults.LengthPriorTerms),
            CandidatesPerSignal = a.Int("candidates", defaults.CandidatesPerSignal),
            GraphSeeds = a.Int("graph-seeds", defaults.GraphSeeds),
            GraphEdgeTypes = a.String("graph-edges", "") is { Length: > 0 } edges ? edges.Split(',') : defaults.GraphEdgeTypes,
            UseMmr = a.Flag("mmr") || defaults.UseMmr,
            MmrLambda = a.Double("mmr-lambda", defaults.MmrLambda),
        };

    /// <summary>
    /// One conversation through <see cref="Agents.Memory.Engine.MemoryEngine"/> in offline mode, as a client
    /// would feed it: each turn an add with its speaker, session date and turn id, nothing else; the
    /// engine's background pipelines (A-MEM notes, Mem0 facts, graph) build the memories and find each
    /// turn's neighbours themselves. Then each question searches the notes through the hybrid retriever.
    /// </summary>
    private static async Task<int> RunConversationAsync(LocomoConversation conversation, BenchDatabase? database, LocomoEmbedderRun run, int neighbours,
        IReadOnlyList<TurnRetrievalScore> scores, Stopwatch ingestWatch, List<double> latencies, StreamWriter? dump, bool withGrid, DatabaseRoundTrips? roundTrips,
        bool comparison = false)
    {
        var (grid, gridScores) = withGrid ? (run.Grid, run.GridScores) : ([], []);
        var embedder = run.Embedder(comparison);
        var storeOptions = new MemoryStoreOptions { Dimension = embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions ?? 384 };
        using var embedded = database is null ? new EmbeddedMemoryStore(storeOptions) : null;
        IMemoryStore store = database is null ? embedded! : new Agents.Memory.Stores.Postgres.PostgresMemoryStore(database.DataSource, storeOptions);
        var retriever = new HybridRetriever(store, embedder, run.Options);
        var engineOptions = new Agents.Memory.Engine.MemoryEngineOptions();
        engineOptions.Pipelines.ContextTurns = neighbours;
        await using var engine = new Agents.Memory.Engine.MemoryEngine(store, embedder, Agents.Memory.Pipelines.MemoryModels.Offline(), engineOptions, retriever);
        // One scope per conversation and embedder (embedders share a PostgreSQL database).
        var scope = MemoryScope.ForRun($"{conversation.SampleId}-{run.Name}");
        // As the scope's memory grain does while it is active (on PostgreSQL: the scope kept in process).
        using var hold = engine.HoldScope(scope);
        var trips = roundTrips?.Snapshot() ?? default;
        ingestWatch.Start();
        for (var i = 0; i < conversation.Turns.Count; i++)
        {
            var turn = conversation.Turns[i];
            await engine.AddAsync(new Agents.Memory.Engine.AddMemoryRequest(scope, [new(turn.Speaker, turn.Document) { SourceId = turn.DiaId }], turn.SessionDate)
            {
                Sources = [turn.DiaId],
            });
        }
        if (run.GrainPath)
            while ((await engine.Processor.DrainScopeAsync(scope, "locomo-grain", maxJobs: 1, CancellationToken.None)).Ran > 0) { }
        await engine.WaitForIdleAsync(scope);
        ingestWatch.Stop();
        if (database is not null && roundTrips is not null)
        {
            var now = roundTrips.Snapshot();
            run.IngestRoundTrips += now.Count - trips.Count;
            run.IngestRoundTripMs += now.Milliseconds - trips.Milliseconds;
            trips = now;
        }
        var filter = new MemoryFilter(scope) { Kinds = [MemoryKind.Note] };
        var turnIds = conversation.Turns.Select(t => t.DiaId).ToHashSet(StringComparer.Ordinal);
        foreach (var q in conversation.Questions)
        {
            var started = Stopwatch.GetTimestamp();
            var ranked = await RankedTurnsAsync(retriever, q.Question, filter, turnIds);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (database is not null && roundTrips is not null) run.SearchRoundTrips += roundTrips.Snapshot().Count - trips.Count;
            trips = roundTrips?.Snapshot() ?? default;
            var firstTurns = TurnRetrievalScore.FirstTurns(ranked, 10);
            foreach (var score in scores) score.Add(q.Category, q.Evidence, firstTurns);
            dump?.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { conversation.SampleId, q.Category, q.Question, q.Evidence, Ranked = TurnRetrievalScore.FirstTurns(ranked, 30) }));
        }
        for (var g = 0; g < grid.Count; g++)
        {
            var variant = new HybridRetriever(store, embedder, grid[g]);
            var score = gridScores[g][conversation.SampleId] = new TurnRetrievalScore();
            foreach (var q in conversation.Questions)
                score.Add(q.Category, q.Evidence, TurnRetrievalScore.FirstTurns(await RankedTurnsAsync(variant, q.Question, filter, turnIds), 10));
        }
        return conversation.Turns.Count;
    }

    /// <summary>The turn ids of each of the best 30 memories for <paramref name="question"/>, in rank order. A
    /// memory's sources also name the raw input it came from: only turn ids are scored.</summary>
    private static async Task<List<IReadOnlyList<string>>> RankedTurnsAsync(HybridRetriever retriever, string question, MemoryFilter filter, HashSet<string> turnIds)
    {
        var hits = await retriever.RetrieveAsync(new MemorySearchRequest(question, filter) { TopK = 30 }, CancellationToken.None);
        return hits.Select(h => (IReadOnlyList<string>)h.Sources.Where(turnIds.Contains).ToList()).ToList();
    }

    /// <summary>The weights the leave-one-out check chooses from: content, vector (half, once and twice the
    /// profile's), question demotion, length prior and RRF k around <paramref name="baseline"/>.</summary>
    private static List<HybridRetrieverOptions> WeightGrid(HybridRetrieverOptions baseline)
    {
        var grid = new List<HybridRetrieverOptions>();
        foreach (var content in new[] { 0, 0.1, 0.2 })
        foreach (var vector in new[] { baseline.VectorWeight / 2, baseline.VectorWeight, baseline.VectorWeight * 2 })
        foreach (var demotion in new[] { 0, 0.5 })
        foreach (var lengthPrior in new[] { 0, 16 })
        foreach (var rrfK in new[] { 20, 60 })
        {
            grid.Add(new HybridRetrieverOptions
            {
                RrfK = rrfK, TextWeight = baseline.TextWeight, ContentTextWeight = content, VectorWeight = vector,
                GraphWeight = baseline.GraphWeight, GraphSeeds = baseline.GraphSeeds, GraphEdgeTypes = baseline.GraphEdgeTypes,
                SpeakerBoost = baseline.SpeakerBoost, TimeBoost = baseline.TimeBoost, QuestionDemotion = demotion, LengthPriorTerms = lengthPrior,
                CandidatesPerSignal = baseline.CandidatesPerSignal, UseMmr = baseline.UseMmr, MmrLambda = baseline.MmrLambda,
            });
        }
        return grid;
    }

    // For each conversation: the grid point with the most Hit@10 hits on the other conversations, scored on it.
    private static void PrintLeaveOneOut(LocomoEmbedderRun run, List<string> conversations)
    {
        var (grid, gridScores) = (run.Grid, run.GridScores);
        static double Hits(TurnRetrievalScore s) { var (n, _, hit10, _) = s.Get(0); return n * hit10; }
        var heldOut = new TurnRetrievalScore();
        Console.WriteLine();
        Console.WriteLine($"leave one conversation out ({run.Name}): | held out | weights chosen on the other conversations (content / vector / question demotion / length prior / RRF k) | its Hit@10 there |");
        foreach (var held in conversations)
        {
            var best = Enumerable.Range(0, grid.Count)
                .OrderByDescending(g => conversations.Where(c => c != held).Sum(c => Hits(gridScores[g][c])))
                .ThenBy(g => g).First();
            heldOut.AddFrom(gridScores[best][held]);
            var o = grid[best];
            Console.WriteLine(FormattableString.Invariant($"| {held} | {o.ContentTextWeight} / {o.VectorWeight} / {o.QuestionDemotion} / {o.LengthPriorTerms} / {o.RrfK} | {gridScores[best][held].Get(0).Hit10:F3} |"));
        }
        Console.WriteLine($"every grid point on all conversations ({run.Name}): | content / vector / question demotion / length prior / RRF k | Hit@10 | multi-hop Hit@10 |");
        for (var g = 0; g < grid.Count; g++)
        {
            var all = new TurnRetrievalScore();
            foreach (var c in conversations) all.AddFrom(gridScores[g][c]);
            var o = grid[g];
            Console.WriteLine(FormattableString.Invariant($"| {o.ContentTextWeight} / {o.VectorWeight} / {o.QuestionDemotion} / {o.LengthPriorTerms} / {o.RrfK} | {all.Get(0).Hit10:F3} | {all.Get(1).Hit10:F3} |"));
        }
        PrintTable($"ours ({run.Name}), held out (each conversation scored with weights chosen without it)", heldOut, null);
        Console.WriteLine(FormattableString.Invariant(
            $"LOO locomo embedder={run.Name} hit10={heldOut.Get(0).Hit10:F3} multihop_hit10={heldOut.Get(1).Hit10:F3} temporal_hit10={heldOut.Get(2).Hit10:F3} grid={grid.Count}"));
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
