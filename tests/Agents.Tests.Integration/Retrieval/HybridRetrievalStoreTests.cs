using Agents.Inference.Offline;
using Agents.Memory.Model;
using Agents.Memory.Retrieval;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Retrieval;

/// <summary>Hybrid retrieval behaves the same over both stores (BM25 on both).</summary>
public abstract class HybridRetrievalStoreTests
{
    private static readonly DateTimeOffset Jan2020 = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Jan2021 = new(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly HashingEmbedder _embedder = new();
    // A tenant per test: the database is shared by the class.
    private readonly MemoryScope _scope = MemoryScope.ForUser("alice", tenant: "t" + Guid.NewGuid().ToString("N")[..12]);

    protected abstract IMemoryStore CreateStore();

    private MemoryRecord Note(string content, DateTimeOffset validAt, DateTimeOffset? invalidAt = null, MemoryScope? scope = null, string? source = null) => new()
    {
        Id = Guid.NewGuid(),
        Scope = scope ?? _scope,
        Kind = MemoryKind.Note,
        Content = content,
        Embedding = _embedder.Embed(content),
        Sources = [source ?? "s"],
        ObservedAt = validAt,
        ValidAt = validAt,
        InvalidAt = invalidAt,
    };

    [Fact]
    public async Task As_of_and_scope_bind_every_signal()
    {
        var store = CreateStore();
        var old = Note("Alice lives in Paris near the river", Jan2020, invalidAt: Jan2021, source: "old");
        var current = Note("Alice lives in Rome near the river", Jan2021, source: "current");
        var other = Note("Alice lives in Paris near the river", Jan2020, scope: MemoryScope.ForUser("bob", tenant: _scope.Tenant), source: "other");
        await store.AddBatchAsync([old, current, other], "test");
        var retriever = new HybridRetriever(store, _embedder);

        var mid2020 = new DateTimeOffset(2020, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var hits = await retriever.RetrieveAsync(new MemorySearchRequest("Where does Alice live?", new MemoryFilter(_scope) { AsOf = mid2020 }), default);
        Assert.Equal(["old"], hits.SelectMany(h => h.Sources));
        Assert.NotNull(hits[0].Text);
        Assert.NotNull(hits[0].Vector);
    }

    [Fact]
    public async Task Graph_expansion_follows_edges_in_the_store()
    {
        var store = CreateStore();
        var seed = Note("The quarterly budget meeting moved to Thursday", Jan2021, source: "m1");
        var linked = Note("Bring the printed slides", Jan2021, source: "m2");
        var unrelated = Note("Bob plays the violin", Jan2021, source: "m3");
        await store.AddBatchAsync([seed, linked, unrelated], "test");
        await store.AddEdgesAsync([new MemoryEdge { Id = Guid.NewGuid(), Scope = _scope, FromId = seed.Id, ToId = linked.Id, Type = "link" }]);
        var retriever = new HybridRetriever(store, _embedder, new HybridRetrieverOptions { GraphWeight = 1.0 });

        var hits = await retriever.RetrieveAsync(new MemorySearchRequest("quarterly budget meeting", new MemoryFilter(_scope)), default);
        Assert.Equal("m1", hits[0].Sources[0]);
        var reached = Assert.Single(hits, h => h.Sources[0] == "m2");
        Assert.NotNull(reached.Graph);
        Assert.DoesNotContain(hits, h => h.Sources[0] == "m3" && h.Graph is not null);
    }
}

public sealed class EmbeddedHybridRetrievalTests : HybridRetrievalStoreTests
{
    protected override IMemoryStore CreateStore() => new EmbeddedMemoryStore(new MemoryStoreOptions { Dimension = 384 });
}

public sealed class PostgresHybridRetrievalTests(PostgresDatabase db) : HybridRetrievalStoreTests, IClassFixture<PostgresDatabase>
{
    protected override IMemoryStore CreateStore() => new PostgresMemoryStore(db.DataSource, new MemoryStoreOptions { Dimension = 384 });
}
