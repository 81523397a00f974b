using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>
/// A scope's vector search is planned once per connection (a generic plan) under settings that fix its
/// access path to the scope's own indexes, whatever the table's statistics when the plan is made: the
/// exact pass of a one-id scope reads one of that id's indexes, the index branch the HNSW index in
/// distance order. And the searches sent after it in the same batch answer as
/// when sent alone.
/// </summary>
public sealed class PostgresVectorSearchPlanTests
{
    // As the store sends them (VectorSearchPlan): generic, no table scan, no bitmap; the index branch also no sort.
    private const string ExactSettings = "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off; SET enable_bitmapscan = off";
    private const string IndexSettings = ExactSettings + "; SET enable_sort = off";

    private const string Size = """
        WITH cap AS (SELECT greatest($1::bigint, min_records) AS cap FROM memory_vector_index_policy),
        size AS (SELECT CASE WHEN count(*) < $2::int THEN 0 ELSE min(vectors) END AS n
                 FROM memory_scope_epochs WHERE tenant = $3::text AND key = ANY($4::text[]))
        """;

    private const string ExactPass = Size + """
        , filtered AS MATERIALIZED (SELECT id, embedding <=> $5::vector AS distance FROM memory_records
            WHERE embedding_dims = 384 AND tenant = $3::text AND user_id = $6::text AND expired_at IS NULL AND (SELECT n FROM size) <= (SELECT cap FROM cap)),
        best AS (SELECT id, distance FROM filtered ORDER BY distance LIMIT $7::int)
        SELECT r.id, 1 - best.distance FROM best JOIN memory_records r USING (id) ORDER BY best.distance
        """;

    private const string IndexBranch = Size + """
        SELECT id FROM memory_records
        WHERE embedding_dims = 384 AND tenant = $3::text AND agent_id = $6::text AND expired_at IS NULL AND vector_indexed
          AND (SELECT n FROM size) > (SELECT cap FROM cap)
        ORDER BY embedding::halfvec(384) <=> $5::halfvec(384) LIMIT $7::int
        """;

    private static async Task<string> GenericPlanAsync(PostgresDatabase db, string settings, string sql)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new Npgsql.NpgsqlCommand(settings.Replace("SET ", "SET LOCAL ", StringComparison.Ordinal), connection, transaction)) await set.ExecuteNonQueryAsync();
        // Prepared on the server and explained at its execution: under force_generic_plan, the plan it keeps.
        await using (var prepare = new Npgsql.NpgsqlCommand($"PREPARE search(bigint, int, text, text[], vector, text, int) AS {sql}", connection, transaction))
            await prepare.ExecuteNonQueryAsync();
        var plan = new List<string>();
        try
        {
            await using var explain = new Npgsql.NpgsqlCommand(
                "EXPLAIN EXECUTE search(2000, 1, 't', '{user:u1}', array_fill(0.1::real, ARRAY[384])::vector, 'u1', 10)", connection, transaction);
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        }
        finally
        {
            await using var deallocate = new Npgsql.NpgsqlCommand("DEALLOCATE search", connection, transaction);
            await deallocate.ExecuteNonQueryAsync();
        }
        var text = string.Join("\n", plan);
        // A generic plan shows its parameters where a custom one shows the values.
        Assert.Contains("$3", text, StringComparison.Ordinal);
        return text;
    }

    // The exact pass reads one of the user's indexes (never the table, never another id's: which of the
    // user's, the costs decide, as for a plan made per execution). The index branch reads the HNSW index in
    // distance order, with no sort.
    private static void AssertPaths(string exact, string index)
    {
        Assert.True(exact.Contains("Scan using memory_records_user_", StringComparison.Ordinal), exact);
        Assert.True(index.Contains("Index Scan using memory_records_embedding_384", StringComparison.Ordinal), index);
        Assert.DoesNotContain("Sort", index, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan on memory_records ", exact + index, StringComparison.Ordinal);
        Assert.DoesNotContain("memory_records_agent_", exact, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_plan_made_once_reads_the_scopes_own_index_or_the_hnsw_index_on_an_empty_and_on_a_full_table()
    {
        var db = new PostgresDatabase();
        await db.InitializeAsync();
        try
        {
            // Empty, never analysed: the first search of a fresh deployment makes the plan the connection keeps
            // (until the table's statistics change: ANALYZE invalidates it).
            AssertPaths(await GenericPlanAsync(db, ExactSettings, ExactPass), await GenericPlanAsync(db, IndexSettings, IndexBranch));

            // One agent's 3,000 records over three users, analysed.
            var store = new PostgresMemoryStore(db.DataSource);
            var random = new Random(11);
            await store.AddBatchAsync(Enumerable.Range(0, 3000).Select(i => new MemoryRecord
            {
                Id = Guid.NewGuid(), Scope = new MemoryScope("t", userId: "u" + (i % 3), agentId: "a"), Kind = MemoryKind.Note,
                Content = $"memory {i}", Embedding = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(),
            }).ToList(), "test");
            await using (var vacuum = db.DataSource.CreateCommand("VACUUM (ANALYZE) memory_records")) await vacuum.ExecuteNonQueryAsync();
            AssertPaths(await GenericPlanAsync(db, ExactSettings, ExactPass), await GenericPlanAsync(db, IndexSettings, IndexBranch));
        }
        finally
        {
            await db.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(1000)] // one user's 100 records: the exact pass, planned once
    [InlineData(0)]    // the index branch, planned once
    public async Task Searches_sent_with_a_vector_search_answer_as_when_sent_alone(int exactThreshold)
    {
        var db = new PostgresDatabase();
        await db.InitializeAsync();
        try
        {
            await using (var everything = db.DataSource.CreateCommand("SELECT memory_vector_index_set_min_records(0)")) await everything.ExecuteNonQueryAsync();
            var store = new PostgresMemoryStore(db.DataSource, postgresOptions: new PostgresMemoryStoreOptions { ExactSearchThreshold = exactThreshold });
            var random = new Random(13);
            var topics = new[] { "hiking", "cooking", "chess", "sailing", "painting" };
            await store.AddBatchAsync(Enumerable.Range(0, 300).Select(i => new MemoryRecord
            {
                Id = Guid.NewGuid(), Scope = new MemoryScope("t", userId: "u" + (i % 3)), Kind = MemoryKind.Note,
                Content = $"note {i} about {topics[i % topics.Length]} with friend {i % 7}",
                Embedding = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(),
            }).ToList(), "test");
            var filter = new MemoryFilter(new MemoryScope("t", userId: "u1"));

            for (var round = 0; round < 3; round++)
            {
                var query = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
                var text = $"{topics[round]} with friend {round}";
                var together = await store.SearchSignalsAsync(new SignalSearch(filter, 10) { Vector = query, Text = text, ContentText = topics[round + 1] });
                Assert.Equal((await store.SearchByVectorAsync(query, filter, 10)).Select(static h => h.Record.Id), together.Vector.Select(static h => h.Record.Id));
                Assert.Equal((await store.SearchByTextAsync(text, filter, 10)).Select(static h => h.Record.Id), together.Text.Select(static h => h.Record.Id));
                Assert.Equal((await store.SearchByTextAsync(topics[round + 1], filter, 10, TextField.Content)).Select(static h => h.Record.Id),
                    together.ContentText.Select(static h => h.Record.Id));
                Assert.NotEmpty(together.Vector);
                Assert.NotEmpty(together.Text);
            }
        }
        finally
        {
            await db.DisposeAsync();
        }
    }
}
