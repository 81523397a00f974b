using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using Agents.Memory.Stores.Postgres;
using Agents.Memory.Stores.Postgres.ScopeCache;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>
/// Full-text search ranks alike on both stores, query by query: the same analysis (migration 0105) and, for
/// a filter within <c>Bm25MaxRecords</c>, the same statistics, so the same records come back in the same
/// order with the same scores, from PostgreSQL's SQL and from a held scope's copy alike.
/// </summary>
public sealed class CrossStoreTextRankingTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private const int Dimension = 8;

    // Words PostgreSQL's own parser and stemmer would take otherwise, among plain ones.
    private static readonly string[] Words =
    [
        "Caroline's", "well-known", "hiking", "hikes", "lake", "lakes", "painting", "painted", "sunset", "3.5", "km",
        "generously", "adoption", "adopted", "e-mail", "café", "Melanie", "guitar", "camping", "the", "and", "of",
        "support-group", "LGBTQ", "running", "ran", "2023", "May", "co-operation", "isn't",
    ];

    private static MemoryRecord Record(Random random, MemoryScope scope, int i) => new()
    {
        Id = Guid.NewGuid(), Scope = scope, Kind = i % 3 == 0 ? MemoryKind.Fact : MemoryKind.Note,
        Content = string.Join(random.Next(3) == 0 ? ", " : " ", Enumerable.Range(0, 3 + random.Next(12)).Select(_ => Words[random.Next(Words.Length)])) + ".",
        Context = random.Next(2) == 0 ? null : $"talking about {Words[random.Next(Words.Length)]} and {Words[random.Next(Words.Length)]}",
        Keywords = random.Next(2) == 0 ? [] : [Words[random.Next(Words.Length)]],
        Tags = i % 4 == 0 ? ["kept"] : [],
        Embedding = [.. Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() - 0.5))],
    };

    [Fact]
    public async Task Both_stores_return_the_same_ranking_with_the_same_scores()
    {
        var tenant = "t" + Guid.NewGuid().ToString("N")[..12];
        var options = new MemoryStoreOptions { Dimension = Dimension };
        using var embedded = new EmbeddedMemoryStore(options);
        var sql = new PostgresMemoryStore(db.DataSource, options, new PostgresMemoryStoreOptions { ScopeCache = new ScopeCacheOptions { Enabled = false } });
        var held = new PostgresMemoryStore(db.DataSource, options);
        var random = new Random(7);
        var scope = new MemoryScope(tenant, userId: "u", runId: "a");
        var other = new MemoryScope(tenant, userId: "u", runId: "b");
        var records = Enumerable.Range(0, 400).Select(i => Record(random, i % 2 == 0 ? scope : other, i)).ToList();
        await embedded.AddBatchAsync(records, "test");
        await sql.AddBatchAsync(records.Take(200).ToList(), "test");
        foreach (var record in records.Skip(200)) await sql.AddAsync(record, "test"); // both write paths
        // An update and an expiry, on both.
        foreach (var store in new IMemoryStore[] { embedded, sql })
        {
            var first = (await store.GetAsync(records[0].Id))!;
            await store.UpdateAsync(first with { Content = "Caroline's well-known lake, painted at sunset." }, "test");
            var second = (await store.GetAsync(records[2].Id))!;
            await store.UpdateAsync(second with { ExpiredAt = DateTimeOffset.UtcNow }, "test");
        }

        using var hold = held.HoldScope(scope);
        var filters = new[]
        {
            new MemoryFilter(scope),
            new MemoryFilter(new MemoryScope(tenant, userId: "u")),
            new MemoryFilter(scope) { Kinds = [MemoryKind.Note] },
            new MemoryFilter(scope) { Tags = ["kept"] },
            new MemoryFilter(scope) { IncludeExpired = true },
        };
        var queries = new[] { "Caroline's hiking trip", "well-known lakes", "painting a sunset in May 2023", "e-mail about adoption", "the and of", "café camping guitar" };
        foreach (var filter in filters)
        foreach (var query in queries)
        foreach (var field in new[] { TextField.All, TextField.Content })
        {
            var expected = await embedded.SearchByTextAsync(query, filter, 10, field);
            foreach (var store in new[] { sql, held })
            {
                var hits = await store.SearchByTextAsync(query, filter, 10, field);
                Assert.Equal(expected.Select(h => h.Record.Id), hits.Select(h => h.Record.Id));
                Assert.Equal(expected.Select(h => h.Score), hits.Select(h => h.Score), (a, b) => Math.Abs(a - b) < 1e-9);
            }
        }
        Assert.Empty(await sql.SearchByTextAsync("the and of", new MemoryFilter(scope)));
    }
}
