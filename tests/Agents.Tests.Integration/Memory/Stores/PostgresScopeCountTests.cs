using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>
/// The record counts of the scope keys (migration 0092) follow every write, and a vector search picks its
/// path from them: exact at most <see cref="PostgresMemoryStoreOptions.ExactSearchThreshold"/> rows, the
/// HNSW index (half-precision, migration 0093) above, with exact scores either way. A search that does not
/// need embeddings reads none.
/// </summary>
public sealed class PostgresScopeCountTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static float[] RandomVector(Random random) => Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

    private async Task<Dictionary<string, long>> CountsAsync(string tenant)
    {
        var counts = new Dictionary<string, long>();
        await using var command = db.DataSource.CreateCommand("SELECT key, records FROM memory_scope_epochs WHERE tenant = @t");
        command.Parameters.AddWithValue("t", tenant);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    private async Task<Dictionary<string, long>> ActualCountsAsync(string tenant)
    {
        var counts = new Dictionary<string, long>();
        await using var command = db.DataSource.CreateCommand("""
            SELECT v.key, count(*) FROM memory_records r,
                LATERAL (VALUES ('user:' || r.user_id), ('agent:' || r.agent_id), ('run:' || r.run_id), ('team:' || r.team_id)) AS v(key)
            WHERE r.tenant = @t AND v.key IS NOT NULL GROUP BY v.key
            """);
        command.Parameters.AddWithValue("t", tenant);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    private async Task AssertCountsAsync(string tenant)
    {
        var kept = await CountsAsync(tenant);
        var actual = await ActualCountsAsync(tenant);
        foreach (var (key, count) in kept) Assert.Equal(actual.GetValueOrDefault(key), count);
        foreach (var (key, count) in actual) Assert.Equal(count, kept.GetValueOrDefault(key));
    }

    [Fact]
    public async Task Every_write_keeps_the_record_counts_of_its_scope_keys()
    {
        var tenant = "c" + Guid.NewGuid().ToString("N")[..12];
        var store = new PostgresMemoryStore(db.DataSource);
        var random = new Random(11);
        MemoryRecord Record(MemoryScope scope) => new()
        {
            Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note, Content = "note " + random.Next(), Embedding = RandomVector(random),
        };
        var ann = new MemoryScope(tenant, userId: "ann", agentId: "helper");
        var bo = new MemoryScope(tenant, userId: "bo", agentId: "helper");
        var run = new MemoryScope(tenant, runId: "r1");

        var first = await store.AddAsync(Record(ann), "test");
        await store.AddBatchAsync(Enumerable.Range(0, 5).Select(_ => Record(bo)).ToList(), "test");
        // One batch, one transaction: several statements move the same keys (the epoch moves once).
        var batch = new MemoryWriteBatch().Add(Record(ann), "test").Add(Record(ann), "test").Add(Record(run), "test");
        await store.WriteAsync(batch);
        await AssertCountsAsync(tenant);
        Assert.Equal(3, (await CountsAsync(tenant))["user:ann"]);
        Assert.Equal(8, (await CountsAsync(tenant))["agent:helper"]);

        // An update changes no count; a delete and a scope's deletion lower them.
        await store.UpdateAsync(first with { Content = "changed" }, "test");
        await AssertCountsAsync(tenant);
        Assert.True(await store.DeleteAsync(first.Id, "test"));
        await AssertCountsAsync(tenant);
        Assert.Equal(2, (await CountsAsync(tenant))["user:ann"]);
        await store.DeleteScopeAsync(bo);
        await AssertCountsAsync(tenant);
        Assert.Equal(0, (await CountsAsync(tenant))["user:bo"]);
        Assert.Equal(2, (await CountsAsync(tenant))["agent:helper"]);
    }

    [Fact]
    public async Task A_scope_above_the_threshold_is_searched_through_the_index_and_one_below_exactly()
    {
        var tenant = "v" + Guid.NewGuid().ToString("N")[..12];
        var random = new Random(17);
        var records = Enumerable.Range(0, 400).Select(i => new MemoryRecord
        {
            Id = Guid.NewGuid(), Scope = new MemoryScope(tenant, userId: "u" + (i % 4), agentId: "a"), Kind = i % 2 == 0 ? MemoryKind.Note : MemoryKind.Fact,
            Content = $"memory {i}", Embedding = RandomVector(random),
        }).ToList();
        var store = new PostgresMemoryStore(db.DataSource, postgresOptions: new PostgresMemoryStoreOptions { ExactSearchThreshold = 150 });
        // Scopes above 150 records in the index (migration 0094), as the threshold needs.
        await using (var minimum = db.DataSource.CreateCommand("SELECT memory_vector_index_set_min_records(150)")) await minimum.ExecuteNonQueryAsync();
        await store.AddBatchAsync(records, "test");
        var query = RandomVector(random);

        foreach (var filter in new[]
                 {
                     new MemoryFilter(new MemoryScope(tenant, userId: "u1")),                                       // 100 rows: exact
                     new MemoryFilter(new MemoryScope(tenant, agentId: "a")),                                       // 400 rows: index
                     new MemoryFilter(new MemoryScope(tenant, userId: "u2", agentId: "a")) { Kinds = [MemoryKind.Note] }, // counted by a pass: exact
                     new MemoryFilter(new MemoryScope(tenant, agentId: "a")) { Kinds = [MemoryKind.Fact] },        // 200 by a pass: index
                 })
        {
            var expected = records.Where(filter.Matches).Select(r => (r.Id, Score: Cosine(r.Embedding!, query)))
                .OrderByDescending(p => p.Score).Take(10).ToList();
            var found = await store.SearchByVectorAsync(query, filter, topK: 10);
            Assert.Equal(10, found.Count);
            Assert.All(found, h => Assert.True(filter.Matches(h.Record)));
            Assert.All(found, h => Assert.NotNull(h.Record.Embedding));
            // Scores are exact (full precision) on both paths, best first; the index may miss a neighbour.
            Assert.All(found, h => Assert.Equal(Cosine(h.Record.Embedding!, query), h.Score, 5));
            Assert.Equal(found.Select(h => h.Score).OrderDescending(), found.Select(h => h.Score));
            Assert.True(found.Select(h => h.Record.Id).Intersect(expected.Select(e => e.Id)).Count() >= 7);
        }

        // Small scope: exactly the brute-force answer.
        var small = new MemoryFilter(new MemoryScope(tenant, userId: "u3"));
        var exact = records.Where(small.Matches).OrderByDescending(r => Cosine(r.Embedding!, query)).Take(10).Select(r => r.Id);
        Assert.Equal(exact, (await store.SearchByVectorAsync(query, small, topK: 10)).Select(h => h.Record.Id));
    }

    [Fact]
    public async Task A_signal_search_without_embeddings_reads_none_and_finds_the_same_records()
    {
        var tenant = "s" + Guid.NewGuid().ToString("N")[..12];
        var random = new Random(23);
        var scope = new MemoryScope(tenant, userId: "ann");
        var records = Enumerable.Range(0, 30).Select(i => new MemoryRecord
        {
            Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note, Content = i % 3 == 0 ? $"kayak trip number {i}" : $"weekend plan {i}",
            Embedding = RandomVector(random),
        }).ToList();
        var store = new PostgresMemoryStore(db.DataSource); // the scope is not held: the searches run in SQL
        await store.AddBatchAsync(records, "test");
        var search = new SignalSearch(new MemoryFilter(scope), 10) { Text = "kayak trip", ContentText = "kayak", Vector = RandomVector(random) };

        var full = await store.SearchSignalsAsync(search);
        var lean = await store.SearchSignalsAsync(search with { WithEmbeddings = false });
        foreach (var (a, b) in new[] { (full.Vector, lean.Vector), (full.Text, lean.Text), (full.ContentText, lean.ContentText) })
        {
            Assert.NotEmpty(a);
            Assert.Equal(a.Select(h => (h.Record.Id, h.Score)), b.Select(h => (h.Record.Id, h.Score)));
            Assert.All(a, h => Assert.NotNull(h.Record.Embedding));
            Assert.All(b, h => Assert.Null(h.Record.Embedding));
            Assert.Equal(a.Select(h => h.Record.Content), b.Select(h => h.Record.Content));
        }
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }
}
