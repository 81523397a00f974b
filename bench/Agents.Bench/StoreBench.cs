using System.Diagnostics;
using System.Globalization;
using Agents.Infra.Migrations;
using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using Agents.Memory.Stores.Postgres;
using Npgsql;

namespace Agents.Bench;

/// <summary>
/// <c>store --n 100000</c>: synthetic memories (clustered 384-d embeddings, short sentences, 100 users
/// under one agent) ingested in batches into the embedded store and into PostgreSQL (a fresh database,
/// dropped afterwards), then top-10 vector searches, half within one user's scope (1% of the rows),
/// half across the agent's whole scope (every row). Reports ingest per second, search p50/p95, and
/// the HNSW recall@10 of PostgreSQL against the embedded store's exact answers.
/// </summary>
public static class StoreBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var n = options.Int("n", 100_000);
        var dimension = options.Int("dim", 384);
        var queries = options.Int("queries", 400);
        var batchSize = options.Int("batch", 1000);
        var users = options.Int("users", 100);
        // As many concurrent batches as cores: HNSW inserts are CPU-bound, and more writers than cores only
        // contend for the graph's pages (2 writers ~1,180/s, 4 ~1,000/s on 2 cores, m 16).
        var writers = options.Int("writers", Environment.ProcessorCount);
        var textQueries = options.Int("text-queries", 50);
        var skipPostgres = options.Flag("skip-postgres");
        var seed = options.Int("seed", 42);
        var adds = options.Int("adds", 5000);
        options.EnsureAllUsed();

        Console.WriteLine($"store bench: n={n} dim={dimension} users={users} batch={batchSize} postgres_writers={writers} queries={queries} cores={Environment.ProcessorCount} load={LoadAverage()}");
        var data = new SyntheticMemories(n, dimension, users, seed);
        var probes = data.Queries(queries);
        var storeOptions = new MemoryStoreOptions { Dimension = dimension };

        // ---- embedded
        using var embedded = new EmbeddedMemoryStore(storeOptions);
        var embeddedIngest = await IngestAsync(embedded, data, batchSize, 1);
        Console.WriteLine($"embedded  ingest: {embeddedIngest:F0} records/s");
        var (embeddedLatencies, exact) = await SearchAsync(embedded, probes);
        Report("embedded", embeddedLatencies, probes);
        var (embeddedText, embeddedTextHits) = await TextSearchAsync(embedded, data, textQueries);
        Console.WriteLine($"embedded  text search (BM25): p50={Percentile(embeddedText, 50):F2} ms p95={Percentile(embeddedText, 95):F2} ms");
        var (embeddedAdd, embeddedBulk) = await EngineAddsAsync(embedded, adds);
        Console.WriteLine($"embedded  engine adds (raw input + job, no pipelines): one by one {embeddedAdd:F0}/s, AddManyAsync {embeddedBulk:F0}/s");

        double postgresP95 = double.NaN, postgresIngest = double.NaN, postgresAdd = double.NaN, postgresBulk = double.NaN;
        double postgresTextP50 = double.NaN, postgresTextP95 = double.NaN, textOverlap = double.NaN;
        if (!skipPostgres)
        {
            await using var database = await BenchDatabase.CreateAsync();
            var dataSource = database.DataSource;
            var postgres = new PostgresMemoryStore(dataSource, storeOptions);
            postgresIngest = await IngestAsync(postgres, data, batchSize, writers);
            Console.WriteLine($"postgres  ingest: {postgresIngest:F0} records/s (batches of {batchSize}, {writers} concurrent writers, HNSW and GIN maintained on insert)");
            // After a bulk load, as PostgreSQL advises: statistics, and the visibility map that index-only
            // scans read (autovacuum would do the same within seconds, competing with the timed searches).
            await using (var vacuum = dataSource.CreateCommand("VACUUM (ANALYZE) memory_records")) await vacuum.ExecuteNonQueryAsync();
            var (postgresLatencies, approximate) = await SearchAsync(postgres, probes);
            Report("postgres", postgresLatencies, probes);
            postgresP95 = Percentile(postgresLatencies, 95);
            Console.WriteLine($"postgres  recall@10 vs exact: {Recall(exact, approximate):F3}");
            var (postgresText, postgresTextHits) = await TextSearchAsync(postgres, data, textQueries);
            (postgresTextP50, postgresTextP95) = (Percentile(postgresText, 50), Percentile(postgresText, 95));
            // The same BM25 over the whole table's statistics, which PostgreSQL estimates (ANALYZE) and whose
            // words its own parser and stemmer find: the share of the embedded store's top 10 it returns.
            textOverlap = Recall(embeddedTextHits, postgresTextHits);
            Console.WriteLine($"postgres  text search (whole agent, above Bm25MaxRecords rows: BM25 over the table's statistics, pruned): p50={postgresTextP50:F2} ms p95={postgresTextP95:F2} ms, top-10 overlap with the embedded store {textOverlap:F3}");
            (postgresAdd, postgresBulk) = await EngineAddsAsync(postgres, adds);
            Console.WriteLine($"postgres  engine adds (raw input + job, no pipelines): one by one {postgresAdd:F0}/s, AddManyAsync {postgresBulk:F0}/s (COPY)");
        }

        var embeddedP95 = Percentile(embeddedLatencies, 95);
        // PostgreSQL as a multiple of the embedded store measured in the same run.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT store n={n} embedded_p95_ms={embeddedP95:F2} postgres_p95_ms={postgresP95:F2} postgres_ingest_per_s={postgresIngest:F0} " +
            $"embedded_ingest_per_s={embeddedIngest:F0} p95_ratio={postgresP95 / embeddedP95:F2} ingest_ratio={postgresIngest / embeddedIngest:F3} " +
            $"postgres_add_per_s={postgresAdd:F0} postgres_bulk_add_per_s={postgresBulk:F0} embedded_bulk_add_per_s={embeddedBulk:F0} " +
            $"postgres_text_p50_ms={postgresTextP50:F2} postgres_text_p95_ms={postgresTextP95:F2} embedded_text_p95_ms={Percentile(embeddedText, 95):F2} text_overlap10={textOverlap:F3}"));
        return 0;
    }

    // Each batch is one transaction; several writers run batches side by side, as concurrent
    // callers would (HNSW inserts dominate the cost, and they proceed in parallel).
    private static async Task<double> IngestAsync(IMemoryStore store, SyntheticMemories data, int batchSize, int writers)
    {
        var starts = Enumerable.Range(0, (data.Count + batchSize - 1) / batchSize).Select(b => b * batchSize);
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(starts, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, writers) }, async (start, ct) =>
        {
            var batch = Enumerable.Range(start, Math.Min(batchSize, data.Count - start)).Select(data.Record).ToList();
            await store.AddBatchAsync(batch, "bench", cancellationToken: ct);
        });
        return data.Count / watch.Elapsed.TotalSeconds;
    }

    // Raw adds through the engine (what a client's add stores: the episode, its history row and its job),
    // one by one as a client would send them, then the same number again in bulk (AddManyAsync, 1,000 a
    // call). The background pipelines are not started: this measures what an add waits for.
    private static async Task<(double OneByOne, double Bulk)> EngineAddsAsync(IMemoryStore store, int count)
    {
        if (count <= 0) return (double.NaN, double.NaN);
        var embedder = new Agents.Inference.Offline.HashingEmbedder(new Agents.Inference.Offline.HashingEmbedderOptions { Dimensions = store.Dimension });
        await using var engine = new Agents.Memory.Engine.MemoryEngine(store, embedder, Agents.Memory.Pipelines.MemoryModels.Offline());
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Agents.Memory.Engine.AddMemoryRequest Turn(string run, int i) =>
            new(new MemoryScope(SyntheticMemories.Tenant, runId: $"{run}{i % 50}"), [new Agents.Memory.Pipelines.ConversationTurn(i % 2 == 0 ? "Ann" : "Bo", $"turn {i}: we talked about the trip and the weather")], start.AddSeconds(i));
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) await engine.AddAsync(Turn("single", i));
        var oneByOne = count / watch.Elapsed.TotalSeconds;
        watch.Restart();
        for (var first = 0; first < count; first += 1000)
            await engine.AddManyAsync(Enumerable.Range(first, Math.Min(1000, count - first)).Select(i => Turn("bulk", i)).ToList());
        return (oneByOne, count / watch.Elapsed.TotalSeconds);
    }

    private static async Task<(List<double> Latencies, List<Guid[]> Results)> SearchAsync(IMemoryStore store, IReadOnlyList<Probe> probes)
    {
        // Warm-up: JIT, connection pool, index pages.
        foreach (var probe in probes.Take(20)) await store.SearchByVectorAsync(probe.Vector, probe.Filter, 10);
        var latencies = new List<double>(probes.Count);
        var results = new List<Guid[]>(probes.Count);
        foreach (var probe in probes)
        {
            var start = Stopwatch.GetTimestamp();
            var hits = await store.SearchByVectorAsync(probe.Vector, probe.Filter, 10);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            results.Add(hits.Select(h => h.Record.Id).ToArray());
        }
        return (latencies, results);
    }

    private static async Task<(List<double> Latencies, List<Guid[]> Results)> TextSearchAsync(IMemoryStore store, SyntheticMemories data, int count)
    {
        var random = new Random(7);
        var filter = new MemoryFilter(new MemoryScope(SyntheticMemories.Tenant, agentId: SyntheticMemories.Agent));
        var latencies = new List<double>(count);
        var results = new List<Guid[]>(count);
        for (var i = 0; i < count + 5; i++)
        {
            var query = data.Question(random);
            var start = Stopwatch.GetTimestamp();
            var hits = await store.SearchByTextAsync(query, filter, 10);
            if (i < 5) continue;
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            results.Add(hits.Select(static h => h.Record.Id).ToArray());
        }
        return (latencies, results);
    }

    private static void Report(string name, List<double> latencies, IReadOnlyList<Probe> probes)
    {
        var scoped = latencies.Where((_, i) => probes[i].Scoped).ToList();
        var broad = latencies.Where((_, i) => !probes[i].Scoped).ToList();
        Console.WriteLine($"{name,-9} vector search top-10: all p50={Percentile(latencies, 50):F2} p95={Percentile(latencies, 95):F2} ms | " +
                          $"one user p50={Percentile(scoped, 50):F2} p95={Percentile(scoped, 95):F2} | whole agent p50={Percentile(broad, 50):F2} p95={Percentile(broad, 95):F2}");
    }

    private static double Recall(List<Guid[]> exact, List<Guid[]> approximate)
    {
        double found = 0, total = 0;
        for (var i = 0; i < exact.Count; i++)
        {
            found += approximate[i].Intersect(exact[i]).Count();
            total += exact[i].Length;
        }
        return total == 0 ? 1 : found / total;
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    private sealed record Probe(float[] Vector, MemoryFilter Filter, bool Scoped);

    /// <summary>Deterministic synthetic memories: embeddings around 500 topic centres (so neighbours
    /// exist, as with real text), sentences from a small vocabulary, spread over users.</summary>
    private sealed class SyntheticMemories
    {
        public const string Tenant = "bench";
        public const string Agent = "assistant";
        // 5000 pseudo-words drawn with Zipf frequencies (s = 1), like the words of real text: a few
        // very common, most rare, so full-text postings have realistic lengths.
        private static readonly string[] Words = MakeVocabulary(5000);
        private static readonly double[] Cumulative = ZipfCumulative(Words.Length);

        private readonly float[][] _centres;
        private readonly int _dimension;
        private readonly int _users;
        private readonly int _seed;

        public SyntheticMemories(int count, int dimension, int users, int seed)
        {
            Count = count;
            _dimension = dimension;
            _users = users;
            _seed = seed;
            var random = new Random(seed);
            _centres = Enumerable.Range(0, 500).Select(_ => Gaussian(random, dimension, 1f)).ToArray();
        }

        public int Count { get; }

        public MemoryRecord Record(int i)
        {
            var random = new Random(_seed * 1_000_003 + i);
            var centre = _centres[random.Next(_centres.Length)];
            var noise = Gaussian(random, _dimension, 0.6f);
            for (var d = 0; d < _dimension; d++) noise[d] += centre[d];
            return new MemoryRecord
            {
                Id = new Guid(i, 0, 0, BitConverter.GetBytes((long)_seed)),
                Scope = new MemoryScope(Tenant, userId: "u" + (i % _users), agentId: Agent),
                Kind = i % 3 == 0 ? MemoryKind.Fact : MemoryKind.Note,
                Content = Sentence(random),
                Embedding = noise,
                Tags = [Word(random)],
                ObservedAt = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i),
            };
        }

        public string Sentence(Random random) =>
            string.Join(' ', Enumerable.Range(0, 8 + random.Next(8)).Select(_ => Word(random)));

        /// <summary>A search query: 4 to 7 words, like a short question without its stop words.</summary>
        public string Question(Random random) =>
            string.Join(' ', Enumerable.Range(0, 4 + random.Next(4)).Select(_ => Word(random)));

        private static string Word(Random random)
        {
            var index = Array.BinarySearch(Cumulative, random.NextDouble());
            return Words[Math.Min(index < 0 ? ~index : index, Words.Length - 1)];
        }

        private static string[] MakeVocabulary(int count)
        {
            string[] onsets = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "st", "tr", "pl"];
            string[] vowels = ["a", "e", "i", "o", "u", "ai", "ou"];
            var words = new List<string>(count);
            var random = new Random(5);
            var seen = new HashSet<string>();
            while (words.Count < count)
            {
                var syllables = 1 + random.Next(3);
                var word = string.Concat(Enumerable.Range(0, syllables).Select(_ => onsets[random.Next(onsets.Length)] + vowels[random.Next(vowels.Length)])) + onsets[random.Next(onsets.Length)];
                if (seen.Add(word)) words.Add(word);
            }
            return [.. words];
        }

        private static double[] ZipfCumulative(int count)
        {
            var weights = Enumerable.Range(1, count).Select(r => 1.0 / r).ToArray();
            var total = weights.Sum();
            var cumulative = new double[count];
            double running = 0;
            for (var i = 0; i < count; i++) { running += weights[i] / total; cumulative[i] = running; }
            return cumulative;
        }

        public IReadOnlyList<Probe> Queries(int count)
        {
            var random = new Random(_seed + 17);
            return Enumerable.Range(0, count + 20).Select(i =>
            {
                var centre = _centres[random.Next(_centres.Length)];
                var q = Gaussian(random, _dimension, 0.6f);
                for (var d = 0; d < _dimension; d++) q[d] += centre[d];
                var scoped = i % 2 == 0;
                var scope = scoped ? new MemoryScope(Tenant, userId: "u" + random.Next(_users)) : new MemoryScope(Tenant, agentId: Agent);
                return new Probe(q, new MemoryFilter(scope), scoped);
            }).ToList();
        }

        private static float[] Gaussian(Random random, int dimension, float sigma)
        {
            var v = new float[dimension];
            for (var d = 0; d < dimension; d++)
            {
                var u1 = 1.0 - random.NextDouble();
                var u2 = random.NextDouble();
                v[d] = (float)(sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
            return v;
        }
    }
}
