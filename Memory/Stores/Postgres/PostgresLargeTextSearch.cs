using System.Text;
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
/// lowers the threshold to that score (at most a few rounds, each one round trip).
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

    public static async Task<List<ScoredMemory>> SearchAsync(NpgsqlDataSource dataSource, string query, MemoryFilter filter, int topK,
        string column, string lengthColumn, bool withEmbeddings, CancellationToken cancellationToken)
    {
        var statistics = await ReadStatisticsAsync(dataSource, query, column, lengthColumn, cancellationToken).ConfigureAwait(false);
        // A word no record holds matches nothing and weighs nothing. (An estimate above the row count, from
        // statistics older than the count, is taken as every row.)
        var terms = statistics.Terms.Where(static t => t.Frequency > 0)
            .Select(t => (t.Lexeme, Idf: Idf(statistics.Documents, Math.Min(t.Frequency, statistics.Documents))))
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
            var hits = await ScoreAsync(dataSource, candidates, terms, statistics.AverageLength, filter, topK, column, lengthColumn, withEmbeddings, cancellationToken).ConfigureAwait(false);
            // Every record outside the candidates scores below the threshold: once the k-th best reaches it,
            // no record outside can take its place.
            if (all || (hits.Count >= topK && hits[topK - 1].Score >= threshold)) return hits;
            // The k-th score found is reached by it, so the next round ends the search; with fewer than k
            // found (the filter passes few of the candidates), lower the bar.
            threshold = hits.Count >= topK ? hits[topK - 1].Score : threshold / 4;
        }
    }

    // BM25's idf, as each store computes it (the embedded index, the held copies, the filter's SQL ranking).
    private static double Idf(double documents, double frequency) => Math.Log(1 + (documents - frequency + 0.5) / (frequency + 0.5));

    private sealed record LexemeFrequency(string Lexeme, double Frequency);

    private sealed record Statistics(IReadOnlyList<LexemeFrequency> Terms, double Documents, double AverageLength);

    /// <summary>The query's lexemes with their document frequencies, the table's row count and its average
    /// length in words, in one round trip.</summary>
    private static async Task<Statistics> ReadStatisticsAsync(NpgsqlDataSource dataSource, string query, string column, string lengthColumn, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        // JIT off, as for every search: the statistics views' plan can cost enough to be compiled first.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('jit', 'off', true)"));
        var command = new NpgsqlBatchCommand($"""
            WITH rel AS (
                SELECT c.oid, n.nspname, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.oid = 'memory_records'::regclass),
            lex AS (SELECT DISTINCT t.lexeme FROM unnest(to_tsvector('english', @query)) AS t),
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
            SELECT l.lexeme,
                   coalesce((SELECT c.frequency * docs.n FROM common c WHERE c.lexeme = l.lexeme),
                            (SELECT count(*) FROM (
                                SELECT 1 FROM memory_records r
                                WHERE r.{column} @@ ('''' || replace(replace(l.lexeme, '\', '\\'), '''', '''''') || '''')::tsquery
                                LIMIT @cap) AS holders))::float8,
                   docs.n, average.average
            FROM lex l, docs, average
            ORDER BY l.lexeme
            """);
        command.Parameters.Add(new NpgsqlParameter("query", NpgsqlDbType.Text) { Value = query.Replace('\0', ' ') });
        command.Parameters.Add(new NpgsqlParameter<int>("cap", CountCap));
        batch.BatchCommands.Add(command);
        var terms = new List<LexemeFrequency>();
        double documents = 1, average = 1;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the setting
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            terms.Add(new LexemeFrequency(reader.GetString(0), reader.GetDouble(1)));
            documents = Math.Max(1, reader.GetDouble(2));
            average = Math.Max(1, reader.GetDouble(3));
        }
        return new Statistics(terms, documents, average);
    }

    /// <summary>Ranks the filter's records that match <paramref name="candidates"/> by BM25; the k best.</summary>
    private static async Task<List<ScoredMemory>> ScoreAsync(NpgsqlDataSource dataSource, string candidates, List<(string Lexeme, double Idf)> terms,
        double averageLength, MemoryFilter filter, int topK, string column, string lengthColumn, bool withEmbeddings, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        // JIT off: the planner's estimate for a scan of many matches would compile the plan first. Planned for
        // each query: how selective its candidates' tsquery is decides between the GIN index and the scope's.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)"));
        var command = new NpgsqlBatchCommand();
        var where = new StringBuilder();
        AppendFilter(where, command.Parameters, filter);
        command.CommandText = $"""
            WITH w AS (SELECT * FROM unnest(@lexemes, @idf) AS w(lexeme, idf)),
            candidates AS MATERIALIZED (
                SELECT r.id, coalesce(r.{lengthColumn}, 0)::float8 AS dl, {QueryLexemes($"r.{column}", "@lexemes")} AS doc
                FROM memory_records r WHERE r.{column} @@ @candidates::tsquery AND {where}),
            scored AS (
                SELECT c.id, sum({Bm25Weight("w.idf", "h.tf", "c.dl", "@average")}) AS score
                FROM candidates c
                CROSS JOIN LATERAL (SELECT u.lexeme, {TermFrequency("u")} AS tf FROM unnest(c.doc) AS u) AS h
                JOIN w USING (lexeme)
                GROUP BY c.id, c.dl),
            best AS (SELECT id, score FROM scored ORDER BY score DESC, id LIMIT @k)
            SELECT {Columns(withEmbeddings)}, best.score FROM best JOIN memory_records USING (id) ORDER BY best.score DESC, id
            """;
        command.Parameters.Add(new NpgsqlParameter<string[]>("lexemes", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = terms.Select(static t => t.Lexeme).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<double[]>("idf", NpgsqlDbType.Array | NpgsqlDbType.Double) { TypedValue = terms.Select(static t => t.Idf).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("candidates", NpgsqlDbType.Text) { Value = candidates });
        command.Parameters.Add(new NpgsqlParameter<double>("average", averageLength));
        command.Parameters.Add(new NpgsqlParameter<int>("k", topK));
        batch.BatchCommands.Add(command);

        // Never null: only the filter's own ranking hands a search over (a row of nulls), not this statement.
        return (await ReadSearchesAsync(batch, cancellationToken).ConfigureAwait(false))[0]!;
    }
}
