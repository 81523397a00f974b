using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Notes;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;
using Agents.Tests.Unit.Memory.Pipelines;

namespace Agents.Tests.Integration.Memory.Pipelines;

/// <summary>The engine and its pipelines over PostgreSQL: durable add, background work, crash resume, closed relations.</summary>
public sealed class PostgresMemoryEngineTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Day1 = new(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = new(2023, 6, 9, 10, 0, 0, TimeSpan.Zero);
    private readonly HashingEmbedder _embedder = new();

    // Each test its own tenant: the database is shared by the class.
    private static MemoryScope NewScope() => MemoryScope.ForUser("ann", tenant: "t" + Guid.NewGuid().ToString("N")[..12]);

    private static MemoryEngineOptions Fast() => new() { PollInterval = TimeSpan.FromMilliseconds(20), RetryDelay = TimeSpan.Zero };

    private MemoryEngine Engine(IMemoryStore store) => new(store, _embedder, MemoryModels.Offline(), Fast());

    [Fact]
    public async Task Add_is_durable_at_once_and_a_new_engine_finishes_the_pending_work()
    {
        var scope = NewScope();
        AddMemoryResult added;
        await using (var crashed = Engine(new PostgresMemoryStore(db.DataSource)))
        {
            added = await crashed.AddAsync(new AddMemoryRequest(scope,
                [new ConversationTurn("Ann", "I adopted a golden retriever named Biscuit."), new ConversationTurn("Bo", "Biscuit is such a cute name!")], Day1));
        }

        var store = new PostgresMemoryStore(db.DataSource);
        Assert.Equal(1, await store.CountJobsAsync(scope, MemoryJobStatus.Pending));
        Assert.Null(await store.GetAsync(added.NoteIds[0]));

        await using var engine = Engine(store);
        await engine.StartAsync();
        await engine.WaitForAsync(added.EpisodeId);

        var note = (await store.GetAsync(added.NoteIds[0]))!;
        Assert.Equal(NoteText.Linked, note.Metadata[NoteText.StageKey]);
        Assert.StartsWith("Ann, 8 May 2023.", note.Context);
        Assert.NotNull(note.Embedding);
        var facts = await store.ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Fact] });
        Assert.Contains(facts, f => f.Content == "Ann adopted a golden retriever named Biscuit.");
        Assert.Equal(MemoryJobStatus.Completed, (await store.GetJobAsync(added.JobId))!.Status);
    }

    [Fact]
    public async Task Bulk_ingest_stores_every_add_at_once_and_derives_the_same_memories_as_adds_one_by_one()
    {
        string[] turns =
        [
            "I adopted a golden retriever named Biscuit.", "Biscuit loves the beach near Lisbon.",
            "I moved to Lisbon for a design job.", "My design job in Lisbon starts on Monday.",
            "Biscuit and I walk along the beach every morning.", "I bake sourdough bread every Saturday.",
        ];
        AddMemoryRequest Request(MemoryScope scope, int i) =>
            new(scope, [new ConversationTurn(i % 2 == 0 ? "Ann" : "Bo", turns[i]) { SourceId = $"D1:{i}" }], Day1.AddMinutes(i)) { Sources = [$"D1:{i}"] };
        var store = new PostgresMemoryStore(db.DataSource);
        await using var engine = Engine(store);
        var bulk = NewScope();
        var single = NewScope();

        var added = await engine.AddManyAsync(Enumerable.Range(0, turns.Length).Select(i => Request(bulk, i)).ToList());
        Assert.Equal(turns.Length, added.Count);
        Assert.Equal(turns.Length, await store.CountJobsAsync(bulk, MemoryJobStatus.Pending));
        Assert.Equal(added.Select(a => a.JobId), (await Task.WhenAll(added.Select(a => store.GetJobAsync(a.JobId)))).Select(j => j!.Id));
        for (var i = 0; i < turns.Length; i++) await engine.AddAsync(Request(single, i));
        await engine.WaitForIdleAsync(bulk);
        await engine.WaitForIdleAsync(single);

        async Task<List<string>> MemoriesAsync(MemoryScope scope) =>
            (await store.ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Note, MemoryKind.Fact, MemoryKind.Entity] }, 1000))
            .Select(r => $"{r.Kind}|{r.Content}|{r.Context}|{string.Join(',', r.Tags)}|{string.Join(',', r.Keywords)}").Order().ToList();
        var bulkMemories = await MemoriesAsync(bulk);
        Assert.Equal(await MemoriesAsync(single), bulkMemories);
        Assert.True(bulkMemories.Count > turns.Length);

        // A bad add anywhere in the list refuses the whole list, naming its position, and stores nothing.
        var refused = NewScope();
        var error = await Assert.ThrowsAsync<InvalidMemoryContentException>(() => engine.AddManyAsync(
            [Request(refused, 0), new AddMemoryRequest(refused, [new ConversationTurn("Ann", " ")], Day1)]));
        Assert.StartsWith("Add 1:", error.Message);
        Assert.Equal(0, await store.CountAsync(new MemoryFilter(refused)));
        Assert.Equal(0, await store.CountJobsAsync(refused, MemoryJobStatus.Pending));
    }

    [Fact]
    public async Task Same_fact_twice_is_kept_once_and_a_contradicted_relation_is_closed()
    {
        var scope = NewScope();
        var store = new PostgresMemoryStore(db.DataSource);
        await using var engine = Engine(store);
        await engine.WaitForAsync((await engine.AddAsync(scope, "I live in Rome.", Day1, "Ann")).EpisodeId);
        await engine.WaitForAsync((await engine.AddAsync(scope, "I live in Rome.", Day1.AddHours(2), "Ann")).EpisodeId);
        await engine.WaitForAsync((await engine.AddAsync(scope, "I moved to Paris.", Day2, "Ann")).EpisodeId);

        var facts = await store.ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Fact], IncludeExpired = true });
        Assert.Single(facts, f => f.Content == "Ann live in Rome.");

        var entities = await store.ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Entity] });
        var ann = entities.Single(e => e.Content == "Ann");
        var edges = await store.GetEdgesAsync(new EdgeQuery(scope.Tenant, [ann.Id]) { Direction = EdgeDirection.Outgoing, Types = ["lives_in"], IncludeClosed = true });
        Assert.Equal(2, edges.Count);
        var rome = edges.Single(e => e.ToId == entities.Single(x => x.Content == "Rome").Id);
        Assert.Equal(Day2, rome.InvalidAt);
        Assert.NotNull(rome.ExpiredAt);
        Assert.True(edges.Single(e => e.Id != rome.Id).IsOpen);

        var erased = await engine.DeleteAllAsync(scope);
        Assert.True(erased.Edges >= 2);
        Assert.Equal(0, await store.CountAsync(new MemoryFilter(scope) { IncludeExpired = true }));
    }
}
