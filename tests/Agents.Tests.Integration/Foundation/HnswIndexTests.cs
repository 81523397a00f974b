using Agents.Infra;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Foundation;

public sealed class HnswIndexTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private const int Dimension = 32;

    [Fact]
    public async Task Top_k_cosine_query_uses_the_hnsw_index_and_finds_the_nearest_rows()
    {
        await using (var create = db.DataSource.CreateCommand($"CREATE TABLE items (id int PRIMARY KEY, v vector({Dimension}))"))
            await create.ExecuteNonQueryAsync();

        var random = new Random(7);
        var vectors = new float[2000][];
        await using (var batch = db.DataSource.CreateBatch())
        {
            for (var i = 0; i < vectors.Length; i++)
            {
                vectors[i] = Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                var cmd = batch.CreateBatchCommand();
                cmd.CommandText = "INSERT INTO items VALUES ($1, $2)";
                cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = i });
                cmd.Parameters.Add(PgVector.Parameter("", vectors[i]));
                batch.BatchCommands.Add(cmd);
            }
            await batch.ExecuteNonQueryAsync();
        }
        await using (var index = db.DataSource.CreateCommand("CREATE INDEX items_v_hnsw ON items USING hnsw (v vector_cosine_ops); ANALYZE items"))
            await index.ExecuteNonQueryAsync();

        var query = vectors[123];
        const string topK = "SELECT id FROM items ORDER BY v <=> @q LIMIT 10";

        await using (var explain = db.DataSource.CreateCommand("SET enable_seqscan = off; EXPLAIN " + topK))
        {
            explain.Parameters.Add(PgVector.Parameter("q", query));
            var plan = new List<string>();
            await using var reader = await explain.ExecuteReaderAsync();
            do { while (await reader.ReadAsync()) plan.Add(reader.GetString(0)); } while (await reader.NextResultAsync());
            Assert.Contains(plan, line => line.Contains("Index Scan using items_v_hnsw", StringComparison.Ordinal));
        }

        await using var search = db.DataSource.CreateCommand(topK);
        search.Parameters.Add(PgVector.Parameter("q", query));
        var ids = new List<int>();
        await using (var reader = await search.ExecuteReaderAsync())
            while (await reader.ReadAsync()) ids.Add(reader.GetInt32(0));

        var exact = Enumerable.Range(0, vectors.Length).OrderBy(i => CosineDistance(vectors[i], query)).Take(10).ToArray();
        Assert.Equal(123, ids[0]);
        Assert.True(ids.Intersect(exact).Count() >= 8, $"HNSW top-10 shares only {ids.Intersect(exact).Count()} ids with the exact top-10");
    }

    private static double CosineDistance(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return 1 - dot / Math.Sqrt(na * nb);
    }
}
