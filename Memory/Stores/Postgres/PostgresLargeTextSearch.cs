using System.Text;
using Agents.Memory.Model;
using Agents.Memory.Stores.Text;
using Npgsql;
using NpgsqlTypes;
using static Agents.Memory.Stores.Postgres.PostgresSql;

namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// Full-text search over a filter too large to rank all its matches (above
/// <see cref="PostgresMemoryStoreOptions.Bm25MaxRecords"/> rows): Okapi BM25 (k1 1.2, b 0.75) with the
/// whole table's statistics, as the embedded store ranks with its whole store's. A common word can match
/// most of a large scope, and reading every match costs about 2.5 us a row; so the statistics come from
/// what ANALYZE keeps (the search column's most common lexemes and their frequencies, the row count, the
/// length column's distribution), with an exact count for a rarer lexeme, and the matches are pruned
/// (MaxScore, <see cref="TextCandidateQuery"/>): only records whose query terms' upper bounds reach the
/// k-th best score found so far are read. The answer is the exact top k under those statistics: a round
/// ends once its k-th score reaches the threshold its candidates were chosen for, else the next round
/// lowers the threshold to that score (at most a few rounds, each one round trip). A round's scores are
/// summed in process; the k records are read at the end. The table's part of the statistics is kept for a
/// while (<see cref="TableTextStatisticsCache"/>).
/// </summary>
internal static class PostgresLargeTextSearch
{
    // BM25's k1 (PostgresSql.Bm25Weight): a term's weight stays below idf * (k1 + 1).
    private const double K1 = 1.2;

    // A lexeme outside the most common ones is counted; more than this many holders only happen when the
    // table has not been analysed yet, and then its weight is taken as if it had this many.
    private const int CountCap = 10_000;

    // Rounds before every match is asked for: two end a search once the first finds k records.
    private const int MaxRounds = 6;

    public static async Task<List<ScoredMemory>> SearchAsync(NpgsqlDataSource dataSource, TableTextStatisticsCache statisticsCache, string query, MemoryFilter filter,
        int topK, string column, string lengthColumn, bool withEmbeddings, CancellationToken cancellationToken)
    {
        var table = await statisticsCache.GetAsync(column, ct => ReadTableStatisticsAsync(dataSource, column, lengthColumn, ct), cancellationToken).ConfigureAwait(false);
        var frequencies = await ReadTermFrequenciesAsync(dataSource, table, query, column, cancellationToken).ConfigureAwait(false);
        // A word no record holds matches nothing and weighs nothing. (An estimate above the row count, from
        // statistics older than the count, is taken as every row.)
        var terms = frequencies.Where(static t => t.Frequency > 0)
            .Select(t => (t.Lexeme, Idf: Bm25.Idf(table.Documents, Math.Min(t.Frequency, table.Documents))))
            .ToList();
        if (terms.Count == 0) return [];
        // A term's weight in a record is below idf * (k1 + 1) whatever its frequency and the record's length.
        var bounds = terms.Select(static t => (t.Lexeme, Bound: t.Idf * (K1 + 1))).ToList();
        var threshold = bounds.Max(static t => t.Bound);
        for (var round = 1; ; round++)
        {
            // A threshold of 0 asks for every match: the last resort, should thresholds keep falling short.
            if (round > MaxRounds) threshold = 0;
            var candidates = TextCandidateQuery.Build(bounds, threshold, out var all);
            if (candidates is null)
            {
                threshold /= 4;
                continue;
            }
            var hits = await ScoreAsync(dataSource, candidates, terms, table.AverageLength, filter, topK, column, lengthColumn, cancellationToken).ConfigureAwait(false);
            // Every record outside the candidates scores below the threshold: once the k-th best reaches it,
            // no record outside can take its place.
            if (all || (hits.Count >= topK && hits[topK - 1].Score >= threshold))
                return await ReadRankedAsync(dataSource, hits, filter, withEmbeddings, cancellationToken).ConfigureAwait(false);
            // The k-th score found is reached by it, so the next round ends the search; with fewer than k
            // found (the filter passes few of the candidates), lower the bar.
            threshold = hits.Count >= topK ? hits[topK - 1].Score : threshold / 4;
        }
    }

    /// <summary>The table's statistics for <paramref name="column"/>, in one round trip: its most common
    /// lexemes' shares of the rows, its row count and its average length in words.</summary>
    private static async Task<TableTextStatistics> ReadTableStatisticsAsync(NpgsqlDataSource dataSource, string column, string lengthColumn, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        // JIT off, as for every search: the statistics views' plan can cost enough to be compiled first.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('jit', 'off', true)"));
        var command = new NpgsqlBatchCommand($"""
            WITH rel AS (
                SELECT c.oid, n.nspname, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.oid = 'memory_records'::regclass),
            common AS (
                SELECT u.lexeme, u.frequency
                FROM pg_stats s, rel, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(lexeme, frequency)
                WHERE s.schemaname = rel.nspname AND s.tablename = 'memory_records' AND s.attname = '{column}' AND u.lexeme IS NOT NULL),
            docs AS (SELECT CASE WHEN rel.reltuples > 0 THEN rel.reltuples::float8 ELSE (SELECT count(*) FROM memory_records)::float8 END AS n FROM rel),
            lengths AS (
                SELECT (coalesce((SELECT sum(v * f) FROM unnest(s.most_common_vals::text::float8[], s.most_common_freqs) AS m(v, f)), 0)
                        + greatest(1 - s.null_frac - coalesce((SELECT sum(f) FROM unnest(s.most_common_freqs) AS f), 0), 0)
                          * coalesce((SELECT avg((h.lo + h.hi) / 2) FROM (
                                SELECT b AS lo, lead(b) OVER (ORDER BY o) AS hi
                                FROM unnest(s.histogram_bounds::text::float8[]) WITH ORDINALITY AS x(b, o)) AS h WHERE h.hi IS NOT NULL), 0))
                       / nullif(1 - s.null_frac, 0) AS average
                FROM pg_stats s, rel
                WHERE s.schemaname = rel.nspname AND s.tablename = 'memory_records' AND s.attname = '{lengthColumn}'),
            average AS (
                SELECT coalesce((SELECT average FROM lengths WHERE average > 0),
                                (SELECT avg({lengthColumn}) FROM (SELECT {lengthColumn} FROM memory_records WHERE {lengthColumn} IS NOT NULL LIMIT @cap) AS sample), 1)::float8 AS average)
            SELECT docs.n, average.average,
                   coalesce((SELECT array_agg(c.lexeme) FROM common c), ARRAY[]::text[]),
                   coalesce((SELECT array_agg(c.frequency) FROM common c), ARRAY[]::real[])
            FROM docs, average
            """);
        command.Parameters.Add(new NpgsqlParameter<int>("cap", CountCap));
        batch.BatchCommands.Add(command);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the setting
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var documents = Math.Max(1, reader.GetDouble(0));
        var average = Math.Max(1, reader.GetDouble(1));
        var lexemes = reader.GetFieldValue<string[]>(2);
        var shares = reader.GetFieldValue<float[]>(3);
        var common = new Dictionary<string, double>(lexemes.Length, StringComparer.Ordinal);
        for (var i = 0; i < lexemes.Length; i++) common[lexemes[i]] = shares[i];
        return new TableTextStatistics(common, documents, average);
    }

    /// <summary>The query's lexemes with their document frequencies, in one round trip: a common lexeme's
    /// from the table's statistics, any other counted (up to <see cref="CountCap"/> holders).</summary>
    private static async Task<List<(string Lexeme, double Frequency)>> ReadTermFrequenciesAsync(NpgsqlDataSource dataSource, TableTextStatistics table,
        string query, string column, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('jit', 'off', true)"));
        var command = new NpgsqlBatchCommand($"""
            SELECT l.lexeme,
                   CASE WHEN l.lexeme = ANY(@common) THEN NULL ELSE (SELECT count(*) FROM (
                       SELECT 1 FROM memory_records r
                       WHERE r.{column} @@ ('''' || replace(replace(l.lexeme, '\', '\\'), '''', '''''') || '''')::tsquery
                       LIMIT @cap) AS holders)::float8 END
            FROM unnest(@terms) AS l(lexeme)
            ORDER BY l.lexeme
            """);
        // The store's analysis of the query, as the records' tsvectors are of their texts (migration 0105).
        command.Parameters.Add(new NpgsqlParameter<string[]>("terms", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = TextAnalyzer.Analyze(query).Terms });
        command.Parameters.Add(new NpgsqlParameter<string[]>("common", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = table.CommonLexemes });
        command.Parameters.Add(new NpgsqlParameter<int>("cap", CountCap));
        batch.BatchCommands.Add(command);
        var terms = new List<(string Lexeme, double Frequency)>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the setting
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var lexeme = reader.GetString(0);
            // A common lexeme's share of the rows times their number, as the server multiplied them before.
            terms.Add((lexeme, reader.IsDBNull(1) ? table.CommonShares[lexeme] * table.Documents : reader.GetDouble(1)));
        }
        return terms;
    }

    /// <summary>Ranks the filter's records that match <paramref name="candidates"/> by BM25; the k best, best
    /// first (ties by id, as the server orders them). The server reads the matches and hands over each one's
    /// length and query terms; the scores are summed here. Summed in SQL, a join and an aggregate per match
    /// cost about as much as reading it.</summary>
    private static async Task<List<(Guid Id, double Score)>> ScoreAsync(NpgsqlDataSource dataSource, string candidates, List<(string Lexeme, double Idf)> terms,
        double averageLength, MemoryFilter filter, int topK, string column, string lengthColumn, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        // JIT off: the planner's estimate for a scan of many matches would compile the plan first. Planned for
        // each query: how selective its candidates' tsquery is decides between the GIN index and the scope's.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)"));
        var command = new NpgsqlBatchCommand();
        var where = new StringBuilder();
        AppendFilter(where, command.Parameters, filter);
        command.CommandText = $"""
            SELECT r.id, coalesce(r.{lengthColumn}, 0)::float8, {QueryLexemes($"r.{column}", "@lexemes")}
            FROM memory_records r WHERE r.{column} @@ @candidates::tsquery AND {where}
            """;
        command.Parameters.Add(new NpgsqlParameter<string[]>("lexemes", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = terms.Select(static t => t.Lexeme).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("candidates", NpgsqlDbType.Text) { Value = candidates });
        batch.BatchCommands.Add(command);

        var idf = terms.ToDictionary(static t => t.Lexeme, static t => t.Idf, StringComparer.Ordinal);
        // The k best so far, the worst on top: a better match replaces it.
        var best = new PriorityQueue<(Guid Id, double Score), (Guid Id, double Score)>(topK + 1, WorstFirst.Instance);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the settings
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var dl = reader.GetDouble(1);
            double score = 0;
            // In the record's lexeme order, the order in which the server would sum them.
            foreach (var lexeme in reader.GetFieldValue<NpgsqlTsVector>(2))
            {
                if (!idf.TryGetValue(lexeme.Text, out var weight)) continue;
                double tf = Math.Max(1, lexeme.Count); // a lexeme stripped of its positions counts once
                score += Bm25.Weight(weight, tf, dl, averageLength);
            }
            var hit = (reader.GetGuid(0), score);
            if (best.Count < topK) best.Enqueue(hit, hit);
            else if (WorstFirst.Instance.Compare(hit, best.Peek()) > 0) best.EnqueueDequeue(hit, hit);
        }
        var ranked = new List<(Guid Id, double Score)>(best.Count);
        while (best.Count > 0) ranked.Add(best.Dequeue());
        ranked.Reverse();
        return ranked;
    }

    /// <summary>The records of <paramref name="ranked"/>, in its order; one deleted since it was ranked, or
    /// changed so that the filter no longer passes it, is left out.</summary>
    private static async Task<List<ScoredMemory>> ReadRankedAsync(NpgsqlDataSource dataSource, List<(Guid Id, double Score)> ranked, MemoryFilter filter,
        bool withEmbeddings, CancellationToken cancellationToken)
    {
        if (ranked.Count == 0) return [];
        await using var command = dataSource.CreateCommand();
        var where = new StringBuilder();
        AppendFilter(where, command.Parameters, filter);
        command.CommandText = $"SELECT {Columns(withEmbeddings)} FROM memory_records WHERE id = ANY(@ids) AND {where}";
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", ranked.Select(static h => h.Id).ToArray()));
        var byId = new Dictionary<Guid, MemoryRecord>(ranked.Count);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var record = ReadRecord(reader);
                byId[record.Id] = record;
            }
        var hits = new List<ScoredMemory>(ranked.Count);
        foreach (var (id, score) in ranked)
            if (byId.TryGetValue(id, out var record)) hits.Add(new ScoredMemory(record, score));
        return hits;
    }

    /// <summary>Orders hits worst first: lower score, then, at equal scores, the later id. <see cref="Guid.CompareTo(Guid)"/>
    /// orders ids as the server orders <c>uuid</c> (their bytes in RFC order), so ties fall as in SQL.</summary>
    private sealed class WorstFirst : IComparer<(Guid Id, double Score)>
    {
        public static WorstFirst Instance { get; } = new();

        public int Compare((Guid Id, double Score) x, (Guid Id, double Score) y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : y.Id.CompareTo(x.Id);
        }
    }
}
