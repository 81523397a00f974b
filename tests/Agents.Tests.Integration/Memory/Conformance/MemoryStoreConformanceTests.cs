using Agents.Memory.Model;
using Agents.Memory.Stores;

namespace Agents.Tests.Integration.Memory.Conformance;

/// <summary>
/// The behaviour every <see cref="IMemoryStore"/> must have, run against each implementation by a
/// derived class. Each test works in its own tenant, so tests sharing one database do not meet.
/// </summary>
public abstract class MemoryStoreConformanceTests
{
    protected const int Dimension = 384;
    protected static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected ManualTimeProvider Clock { get; } = new(Start);
    protected string Tenant { get; } = "t" + Guid.NewGuid().ToString("N")[..12];
    protected MemoryStoreOptions Options { get; } = new() { Dimension = Dimension, MaxContentLength = 1000 };

    private IMemoryStore? _store;
    protected IMemoryStore Store => _store ??= CreateStore();

    protected abstract IMemoryStore CreateStore();

    /// <summary>Every row held for the tenant, counted underneath the store's query paths.</summary>
    protected abstract Task<MemoryRowCounts> CountRowsAsync(string tenant);

    protected MemoryScope User(string user, string? run = null) => new(Tenant, userId: user, runId: run);

    /// <summary>A unit vector at <paramref name="degrees"/> from axis 0 in the plane of axes 0 and 1
    /// (plus a small component on <paramref name="axis"/>, to vary it), so cosines are known exactly.</summary>
    protected static float[] Direction(double degrees, int axis = 2, float extra = 0f)
    {
        var v = new float[Dimension];
        v[0] = (float)Math.Cos(degrees * Math.PI / 180);
        v[1] = (float)Math.Sin(degrees * Math.PI / 180);
        v[axis] += extra;
        return v;
    }

    protected MemoryRecord Note(MemoryScope scope, string content, float[]? embedding = null, MemoryKind? kind = null) => new()
    {
        Id = Guid.NewGuid(), Scope = scope, Kind = kind ?? MemoryKind.Note, Content = content, Embedding = embedding,
    };

    // ------------------------------------------------------------------ CRUD + history

    [Fact]
    public async Task Add_stores_every_field_and_writes_an_add_history_row()
    {
        var observed = new DateTimeOffset(2023, 5, 8, 13, 56, 0, TimeSpan.FromHours(2));
        var record = Note(User("alice", "r1"), "Alice adopted a dog named Rex.", Direction(10)) with
        {
            Keywords = ["dog", "adoption"], Tags = ["pets", "family"], Context = "Alice talks about her new pet",
            Category = "life", Metadata = new Dictionary<string, string> { ["speaker"] = "Alice" }, Sources = ["D1:3", "D1:4"],
            ObservedAt = observed, ValidAt = observed,
        };

        var stored = await Store.AddAsync(record, "user");
        var read = await Store.GetAsync(record.Id);

        Assert.NotNull(read);
        Assert.Equal(1, read.Version);
        Assert.Equal(MemoryTime.Normalize(Start), read.CreatedAt);
        Assert.Equal(read.CreatedAt, read.UpdatedAt);
        Assert.Equal(observed.ToUniversalTime(), read.ObservedAt);
        Assert.Equal(observed.ToUniversalTime(), read.ValidAt);
        Assert.Equal(record.Scope, read.Scope);
        Assert.Equal(MemoryKind.Note, read.Kind);
        Assert.Equal(record.Content, read.Content);
        Assert.Equal(record.Embedding, read.Embedding);
        Assert.Equal(["dog", "adoption"], read.Keywords);
        Assert.Equal(["pets", "family"], read.Tags);
        Assert.Equal(["D1:3", "D1:4"], read.Sources);
        Assert.Equal("Alice talks about her new pet", read.Context);
        Assert.Equal("life", read.Category);
        Assert.Equal("Alice", read.Metadata["speaker"]);
        Assert.Equal(stored.Version, read.Version);

        var history = Assert.Single(await Store.GetHistoryAsync(record.Id));
        Assert.Equal(MemoryEvent.Add, history.Event);
        Assert.Null(history.OldContent);
        Assert.Equal(record.Content, history.NewContent);
        Assert.Equal("user", history.Actor);
        Assert.Equal(record.Scope, history.Scope);
    }

    [Fact]
    public async Task Observed_time_defaults_to_now_when_not_given()
    {
        Clock.Advance(TimeSpan.FromMinutes(5));
        var stored = await Store.AddAsync(Note(User("alice"), "raw input"), "user");
        Assert.Equal(Start.AddMinutes(5), (await Store.GetAsync(stored.Id))!.ObservedAt);
    }

    [Fact]
    public async Task Adding_an_existing_id_is_a_conflict_and_changes_nothing()
    {
        var record = Note(User("alice"), "first");
        await Store.AddAsync(record, "user");
        await Assert.ThrowsAsync<MemoryConflictException>(() => Store.AddAsync(record with { Content = "second" }, "user",
            [new MemoryJobRequest("test.dup", "{}", "dup-" + record.Id)]));
        Assert.Equal("first", (await Store.GetAsync(record.Id))!.Content);
        Assert.Single(await Store.GetHistoryAsync(record.Id));
        Assert.Equal(0, (await CountRowsAsync(Tenant)).Jobs);
    }

    [Fact]
    public async Task Update_bumps_the_version_writes_history_and_refuses_a_stale_version()
    {
        var added = await Store.AddAsync(Note(User("alice"), "Alice likes tea."), "user");
        Clock.Advance(TimeSpan.FromSeconds(1));
        var updated = await Store.UpdateAsync(added with { Content = "Alice likes green tea.", Tags = ["drinks"] }, "mem0");

        Assert.Equal(2, updated.Version);
        Assert.Equal(added.CreatedAt, updated.CreatedAt);
        Assert.Equal(Start.AddSeconds(1), updated.UpdatedAt);
        var read = await Store.GetAsync(added.Id);
        Assert.Equal("Alice likes green tea.", read!.Content);
        Assert.Equal(["drinks"], read.Tags);

        var stale = added with { Content = "Alice likes coffee." };
        await Assert.ThrowsAsync<MemoryConflictException>(() => Store.UpdateAsync(stale, "mem0"));
        Assert.Equal("Alice likes green tea.", (await Store.GetAsync(added.Id))!.Content);

        var evolved = await Store.UpdateAsync(read with { Context = "drinks preferences" }, "a-mem", MemoryEvent.Evolve);
        Assert.Equal(3, evolved.Version);

        var history = await Store.GetHistoryAsync(added.Id);
        Assert.Equal([MemoryEvent.Add, MemoryEvent.Update, MemoryEvent.Evolve], history.Select(h => h.Event));
        Assert.Equal("Alice likes tea.", history[1].OldContent);
        Assert.Equal("Alice likes green tea.", history[1].NewContent);
        Assert.Equal("mem0", history[1].Actor);
        Assert.Equal([1L, 2L, 3L], history.Select(h => h.Version));
    }

    [Fact]
    public async Task Concurrent_updates_of_one_version_let_exactly_one_win_and_history_keeps_the_chain()
    {
        var added = await Store.AddAsync(Note(User("alice"), "v1"), "user");
        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try { return await Store.UpdateAsync(added with { Content = $"writer {i}" }, $"writer-{i}"); }
            catch (MemoryConflictException) { return null; }
        })).ToArray();
        var winners = (await Task.WhenAll(attempts)).OfType<MemoryRecord>().ToList();

        var winner = Assert.Single(winners);
        Assert.Equal(2, winner.Version);
        var read = await Store.GetAsync(added.Id);
        Assert.Equal(winner.Content, read!.Content);
        var history = await Store.GetHistoryAsync(added.Id);
        Assert.Equal(2, history.Count);
        Assert.Equal("v1", history[1].OldContent);
        Assert.Equal(winner.Content, history[1].NewContent);
    }

    [Fact]
    public async Task Update_of_a_missing_record_or_to_another_scope_or_kind_is_refused()
    {
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => Store.UpdateAsync(Note(User("alice"), "ghost") with { Version = 1 }, "user"));
        var added = await Store.AddAsync(Note(User("alice"), "Alice likes tea."), "user");
        await Assert.ThrowsAsync<InvalidMemoryScopeException>(() => Store.UpdateAsync(added with { Scope = User("bob") }, "user"));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.UpdateAsync(added with { Kind = MemoryKind.Fact }, "user"));
        var read = await Store.GetAsync(added.Id);
        Assert.Equal(1, read!.Version);
        Assert.Equal(User("alice"), read.Scope);
        Assert.Single(await Store.GetHistoryAsync(added.Id));
    }

    [Fact]
    public async Task Delete_removes_the_record_and_its_edges_and_leaves_a_delete_history_row()
    {
        var a = await Store.AddAsync(Note(User("alice"), "a", Direction(0)), "user");
        var b = await Store.AddAsync(Note(User("alice"), "b", Direction(5)), "user");
        await Store.AddEdgesAsync([Edge(a, b, "link")]);

        Assert.True(await Store.DeleteAsync(a.Id, "user"));
        Assert.False(await Store.DeleteAsync(a.Id, "user"));

        Assert.Null(await Store.GetAsync(a.Id));
        Assert.Empty(await Store.GetEdgesAsync(new EdgeQuery(Tenant, [a.Id, b.Id]) { IncludeClosed = true }));
        var hits = await Store.SearchByVectorAsync(Direction(0), new MemoryFilter(User("alice")));
        Assert.Equal([b.Id], hits.Select(h => h.Record.Id));
        var history = await Store.GetHistoryAsync(a.Id);
        Assert.Equal([MemoryEvent.Add, MemoryEvent.Delete], history.Select(h => h.Event));
        Assert.Equal("a", history[1].OldContent);
        Assert.Null(history[1].NewContent);
        var rows = await CountRowsAsync(Tenant);
        Assert.Equal(new MemoryRowCounts(Records: 1, Embeddings: 1, Edges: 0, History: 3, Jobs: 0), rows);
    }

    [Fact]
    public async Task A_decision_to_change_nothing_is_recorded_in_history()
    {
        var a = await Store.AddAsync(Note(User("alice"), "Alice lives in Paris."), "user");
        await Store.RecordNoChangeAsync(a.Id, "mem0");
        var history = await Store.GetHistoryAsync(a.Id);
        Assert.Equal([MemoryEvent.Add, MemoryEvent.None], history.Select(h => h.Event));
        Assert.Equal(history[1].OldContent, history[1].NewContent);
        Assert.Equal(1, (await Store.GetAsync(a.Id))!.Version);
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => Store.RecordNoChangeAsync(Guid.NewGuid(), "mem0"));
    }

    [Fact]
    public async Task Get_many_returns_existing_records_in_the_order_asked()
    {
        var a = await Store.AddAsync(Note(User("alice"), "a"), "user");
        var b = await Store.AddAsync(Note(User("alice"), "b"), "user");
        var got = await Store.GetManyAsync([b.Id, Guid.NewGuid(), a.Id]);
        Assert.Equal([b.Id, a.Id], got.Select(r => r.Id));
    }

    [Fact]
    public async Task Batch_add_stores_all_with_history_or_nothing()
    {
        var batch = Enumerable.Range(0, 20).Select(i => Note(User("alice"), $"memory {i}", Direction(i))).ToList();
        Assert.Equal(20, await Store.AddBatchAsync(batch, "import"));
        Assert.Equal(20, await Store.CountAsync(new MemoryFilter(User("alice"))));
        Assert.Single(await Store.GetHistoryAsync(batch[7].Id));

        var second = Enumerable.Range(0, 5).Select(i => Note(User("bob"), $"bob {i}")).Append(batch[3]).ToList();
        await Assert.ThrowsAsync<MemoryConflictException>(() => Store.AddBatchAsync(second, "import"));
        Assert.Equal(0, await Store.CountAsync(new MemoryFilter(User("bob"))));
        Assert.Equal(new MemoryRowCounts(20, 20, 0, 20, 0), await CountRowsAsync(Tenant));
    }

    // ------------------------------------------------------------------ list and filters

    [Fact]
    public async Task List_applies_scope_kind_tag_and_observation_filters_in_observation_order()
    {
        var r1 = await Store.AddAsync(Note(User("alice", "r1"), "first") with { ObservedAt = Start.AddDays(-3), Tags = ["work"] }, "user");
        var r2 = await Store.AddAsync(Note(User("alice", "r2"), "second", kind: MemoryKind.Fact) with { ObservedAt = Start.AddDays(-2), Tags = ["work", "urgent"] }, "user");
        var r3 = await Store.AddAsync(Note(User("alice", "r2"), "third") with { ObservedAt = Start.AddDays(-4) }, "user");
        await Store.AddAsync(Note(User("bob"), "bob's"), "user");
        await Store.AddAsync(Note(new MemoryScope("other-" + Tenant, userId: "alice"), "other tenant"), "user");

        Assert.Equal([r3.Id, r1.Id, r2.Id], (await Store.ListAsync(new MemoryFilter(User("alice")))).Select(r => r.Id));
        Assert.Equal([r3.Id, r2.Id], (await Store.ListAsync(new MemoryFilter(User("alice", "r2")))).Select(r => r.Id));
        Assert.Equal([r2.Id], (await Store.ListAsync(new MemoryFilter(User("alice")) { Kinds = [MemoryKind.Fact] })).Select(r => r.Id));
        Assert.Equal([r1.Id, r2.Id], (await Store.ListAsync(new MemoryFilter(User("alice")) { Tags = ["work"] })).Select(r => r.Id));
        Assert.Equal([r2.Id], (await Store.ListAsync(new MemoryFilter(User("alice")) { Tags = ["work", "urgent"] })).Select(r => r.Id));
        Assert.Equal([r1.Id], (await Store.ListAsync(new MemoryFilter(User("alice")) { ObservedFrom = Start.AddDays(-3), ObservedBefore = Start.AddDays(-2) })).Select(r => r.Id));
        Assert.Equal([r1.Id], (await Store.ListAsync(new MemoryFilter(User("alice")), limit: 1, offset: 1)).Select(r => r.Id));
        Assert.Equal(3, await Store.CountAsync(new MemoryFilter(User("alice"))));
        Assert.Equal(1, await Store.CountAsync(new MemoryFilter(new MemoryScope(Tenant, agentId: null, userId: "bob"))));
    }

    [Fact]
    public async Task List_latest_gives_the_newest_records_oldest_first_with_creation_and_id_breaking_ties()
    {
        var scope = User("carol", "r1");
        var same = Start.AddDays(-1);
        var ids = new List<Guid>();
        // Three records share an observation time: creation order (then id) decides among them.
        foreach (var (content, observed) in new[] { ("a", Start.AddDays(-5)), ("b", same), ("c", same), ("d", same), ("e", Start.AddDays(-3)) })
        {
            ids.Add((await Store.AddAsync(Note(scope, content) with { ObservedAt = observed }, "user")).Id);
            Clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        var all = (await Store.ListAsync(new MemoryFilter(scope))).Select(r => r.Id).ToList();
        Assert.Equal([ids[0], ids[4], ids[1], ids[2], ids[3]], all);

        Assert.Equal(all.TakeLast(2), (await Store.ListLatestAsync(new MemoryFilter(scope), 2)).Select(r => r.Id));
        Assert.Equal(all, (await Store.ListLatestAsync(new MemoryFilter(scope), 10)).Select(r => r.Id));
        Assert.Empty(await Store.ListLatestAsync(new MemoryFilter(scope), 0));
        Assert.Equal([ids[4]], (await Store.ListLatestAsync(new MemoryFilter(scope) { ObservedBefore = same }, 1)).Select(r => r.Id));
    }

    // ------------------------------------------------------------------ vector search

    [Fact]
    public async Task Vector_search_orders_by_cosine_and_honours_scope_kind_tags_top_k_and_min_score()
    {
        var near = await Store.AddAsync(Note(User("alice"), "near", Direction(10)) with { Tags = ["x"] }, "user");
        var mid = await Store.AddAsync(Note(User("alice"), "mid", Direction(40), MemoryKind.Fact), "user");
        var far = await Store.AddAsync(Note(User("alice"), "far", Direction(80)) with { Tags = ["x"] }, "user");
        var opposite = await Store.AddAsync(Note(User("alice"), "opposite", Direction(180)), "user");
        await Store.AddAsync(Note(User("alice"), "no embedding yet"), "user");
        await Store.AddAsync(Note(User("bob"), "bob's closest", Direction(0)), "user");
        var alice = new MemoryFilter(User("alice"));

        var all = await Store.SearchByVectorAsync(Direction(0), alice, topK: 10);
        Assert.Equal([near.Id, mid.Id, far.Id, opposite.Id], all.Select(h => h.Record.Id));
        Assert.Equal(Math.Cos(10 * Math.PI / 180), all[0].Score, 4);
        Assert.Equal(-1.0, all[3].Score, 4);

        Assert.Equal([near.Id, mid.Id], (await Store.SearchByVectorAsync(Direction(0), alice, topK: 2)).Select(h => h.Record.Id));
        Assert.Equal([near.Id, mid.Id], (await Store.SearchByVectorAsync(Direction(0), alice, topK: 10, minScore: 0.5)).Select(h => h.Record.Id));
        Assert.Equal([mid.Id], (await Store.SearchByVectorAsync(Direction(0), alice with { Kinds = [MemoryKind.Fact] })).Select(h => h.Record.Id));
        Assert.Equal([near.Id, far.Id], (await Store.SearchByVectorAsync(Direction(0), alice with { Tags = ["x"] })).Select(h => h.Record.Id));

        // Scale does not matter to cosine.
        var scaled = Direction(79).Select(x => x * 7.5f).ToArray();
        Assert.Equal(far.Id, (await Store.SearchByVectorAsync(scaled, alice, topK: 1))[0].Record.Id);
    }

    [Fact]
    public async Task Vector_search_in_a_small_scope_among_many_rows_returns_exactly_that_scopes_best()
    {
        var crowd = Enumerable.Range(0, 60).Select(i => Note(new MemoryScope(Tenant, userId: "crowd", agentId: "shared"), $"crowd {i}", Direction(i * 0.5))).ToList();
        await Store.AddBatchAsync(crowd, "import");
        var mine = new[] { 30.0, 20.0, 25.0, 60.0 }.Select(d => Note(new MemoryScope(Tenant, userId: "alice", agentId: "shared"), $"alice {d}", Direction(d))).ToList();
        await Store.AddBatchAsync(mine, "import");

        var hits = await Store.SearchByVectorAsync(Direction(0), new MemoryFilter(new MemoryScope(Tenant, userId: "alice")), topK: 3);
        Assert.Equal([mine[1].Id, mine[2].Id, mine[0].Id], hits.Select(h => h.Record.Id));
        var both = await Store.SearchByVectorAsync(Direction(0), new MemoryFilter(new MemoryScope(Tenant, userId: "alice", agentId: "shared")), topK: 10);
        Assert.Equal(4, both.Count);
        Assert.Empty(await Store.SearchByVectorAsync(Direction(0), new MemoryFilter(new MemoryScope(Tenant, userId: "alice", agentId: "nobody"))));
        Assert.Equal(64, (await Store.SearchByVectorAsync(Direction(0), new MemoryFilter(new MemoryScope(Tenant, agentId: "shared")), topK: 100)).Count);
    }

    [Fact]
    public async Task Enriching_a_raw_record_with_an_embedding_makes_it_searchable()
    {
        var raw = await Store.AddAsync(Note(User("alice"), "raw message", kind: MemoryKind.Message), "user");
        Assert.Empty(await Store.SearchByVectorAsync(Direction(0), new MemoryFilter(User("alice"))));
        await Store.UpdateAsync(raw with { Embedding = Direction(3), Keywords = ["raw"] }, "a-mem", MemoryEvent.Enrich);
        var hit = Assert.Single(await Store.SearchByVectorAsync(Direction(0), new MemoryFilter(User("alice"))));
        Assert.Equal(raw.Id, hit.Record.Id);
        Assert.Equal(2, hit.Record.Version);
    }

    // ------------------------------------------------------------------ time axes

    [Fact]
    public async Task As_of_returns_only_facts_valid_then_and_not_yet_retired()
    {
        var jan = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var apr = jan.AddMonths(3);
        var jul = jan.AddMonths(6);
        var old = await Store.AddAsync(Note(User("alice"), "Alice lives in Paris", Direction(5), MemoryKind.Fact) with { ValidAt = jan, InvalidAt = apr }, "mem0");
        var current = await Store.AddAsync(Note(User("alice"), "Alice lives in Rome", Direction(6), MemoryKind.Fact) with { ValidAt = apr }, "mem0");
        var wrong = await Store.AddAsync(Note(User("alice"), "Alice lives in Oslo", Direction(7), MemoryKind.Fact) with { ValidAt = jan, ExpiredAt = jul }, "mem0");
        var timeless = await Store.AddAsync(Note(User("alice"), "Alice is a person", Direction(8), MemoryKind.Fact), "mem0");
        var filter = new MemoryFilter(User("alice"));

        async Task<Guid[]> AsOf(DateTimeOffset t) =>
            (await Store.SearchByVectorAsync(Direction(0), filter with { AsOf = t })).Select(h => h.Record.Id).Order().ToArray();

        Assert.Equal(new[] { timeless.Id }.Order(), await AsOf(jan.AddDays(-1)));
        Assert.Equal(new[] { old.Id, wrong.Id, timeless.Id }.Order(), await AsOf(jan.AddMonths(1)));
        Assert.Equal(new[] { current.Id, wrong.Id, timeless.Id }.Order(), await AsOf(apr));
        Assert.Equal(new[] { current.Id, timeless.Id }.Order(), await AsOf(jul.AddDays(1)));

        // Without as-of: expired records are hidden unless asked for.
        Assert.Equal(3, await Store.CountAsync(filter));
        Assert.Equal(4, await Store.CountAsync(filter with { IncludeExpired = true }));
        Assert.Equal(new[] { old.Id, current.Id, timeless.Id }.Order(), (await Store.ListAsync(filter)).Select(r => r.Id).Order());
    }

    // ------------------------------------------------------------------ full text

    [Fact]
    public async Task Full_text_search_ranks_matches_over_content_keywords_and_tags_within_scope()
    {
        var both = await Store.AddAsync(Note(User("alice"), "Caroline went hiking in the mountains with her dog."), "user");
        var one = await Store.AddAsync(Note(User("alice"), "Melanie painted a sunset over the lake."), "user");
        var tagged = await Store.AddAsync(Note(User("alice"), "A weekend trip.") with { Keywords = ["mountains"], Tags = ["outdoors"] }, "user");
        await Store.AddAsync(Note(User("alice"), "Nothing related at all."), "user");
        await Store.AddAsync(Note(User("bob"), "Bob also hikes in the mountains."), "user");
        var alice = new MemoryFilter(User("alice"));

        var hits = await Store.SearchByTextAsync("When did Caroline go hiking in the mountains?", alice);
        Assert.Equal(both.Id, hits[0].Record.Id);
        Assert.Contains(tagged.Id, hits.Select(h => h.Record.Id));
        Assert.DoesNotContain(one.Id, hits.Select(h => h.Record.Id));
        Assert.All(hits, h => Assert.Equal("alice", h.Record.Scope.UserId));
        Assert.True(hits[0].Score > hits[^1].Score);

        // Stemming: "paintings" finds "painted"; tags are searchable.
        Assert.Equal([one.Id], (await Store.SearchByTextAsync("paintings", alice)).Select(h => h.Record.Id));
        Assert.Equal([tagged.Id], (await Store.SearchByTextAsync("outdoors", alice)).Select(h => h.Record.Id));
        Assert.Empty(await Store.SearchByTextAsync("the and of", alice));
        Assert.Empty(await Store.SearchByTextAsync("   ", alice));
        Assert.Single(await Store.SearchByTextAsync("mountains", alice, topK: 1));
    }

    [Fact]
    public async Task Observation_bounds_are_compared_in_whole_microseconds_like_stored_times()
    {
        var at = new DateTimeOffset(2023, 5, 8, 13, 56, 0, TimeSpan.Zero).AddTicks(1234567);   // 0.1234567 s: below a microsecond too
        var record = await Store.AddAsync(Note(User("alice"), "Same instant.") with { ObservedAt = at }, "user");
        var stored = MemoryTime.Normalize(at);
        Assert.Equal(stored, record.ObservedAt);
        async Task<bool> Finds(DateTimeOffset? from, DateTimeOffset? before) =>
            (await Store.ListAsync(new MemoryFilter(User("alice")) { ObservedFrom = from, ObservedBefore = before })).Any(r => r.Id == record.Id);

        Assert.False(await Finds(null, at));                          // "before t" excludes t, whatever ticks follow
        Assert.False(await Finds(null, stored.AddTicks(1)));          // less than a microsecond later is still t
        Assert.True(await Finds(null, stored.AddMicroseconds(1)));
        Assert.True(await Finds(at, null));                           // "from t" includes t
        Assert.False(await Finds(stored.AddMicroseconds(1), null));
    }

    [Fact]
    public async Task Full_text_ranking_weighs_a_rare_word_above_a_common_one()
    {
        // BM25 on both stores: "kayak" occurs once in the scope, "weekend" everywhere. A rank without
        // idf (ts_rank_cd) puts the record that repeats "weekend" first.
        var rare = await Store.AddAsync(Note(User("alice"), "A kayak trip."), "user");
        var common = await Store.AddAsync(Note(User("alice"), "Weekend, weekend, weekend: what a weekend."), "user");
        for (var i = 0; i < 5; i++) await Store.AddAsync(Note(User("alice"), $"Another weekend, number {i}."), "user");

        var hits = await Store.SearchByTextAsync("kayak weekend", new MemoryFilter(User("alice")));
        Assert.Equal(rare.Id, hits[0].Record.Id);
        Assert.Contains(common.Id, hits.Select(h => h.Record.Id));
        Assert.Equal(7, hits.Count);
    }

    [Fact]
    public async Task Content_search_matches_a_records_own_words_not_its_context_keywords_or_tags()
    {
        var said = await Store.AddAsync(Note(User("alice"), "We paddled the kayak across the bay.") with { Context = "Ann, 8 May 2023." }, "user");
        var around = await Store.AddAsync(Note(User("alice"), "Yes, it was wonderful!") with { Context = "Bo: We paddled the kayak across the bay.", Keywords = ["kayak"], Tags = ["kayak"] }, "user");
        await Store.AddAsync(Note(User("bob"), "Bob's kayak is red."), "user");
        var alice = new MemoryFilter(User("alice"));

        Assert.Equal(new[] { said.Id, around.Id }.Order(), (await Store.SearchByTextAsync("kayak", alice)).Select(h => h.Record.Id).Order());
        var own = await Store.SearchByTextAsync("kayaks", alice, field: TextField.Content);
        Assert.Equal([said.Id], own.Select(h => h.Record.Id));
        Assert.True(own[0].Score > 0);

        // An update re-indexes the content: the old words stop matching, the new ones match.
        await Store.UpdateAsync(said with { Content = "We sailed a dinghy." }, "user", MemoryEvent.Update);
        Assert.Empty(await Store.SearchByTextAsync("kayak", alice, field: TextField.Content));
        Assert.Equal([said.Id], (await Store.SearchByTextAsync("dinghy", alice, field: TextField.Content)).Select(h => h.Record.Id));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SearchByTextAsync("dinghy", alice, field: (TextField)7));
    }

    [Fact]
    public async Task Full_text_search_in_a_small_scope_among_many_rows_finds_only_that_scopes_matches()
    {
        await Store.AddBatchAsync(Enumerable.Range(0, 40).Select(i => Note(User("crowd"), $"hiking in the mountains, trip {i}")).ToList(), "import");
        var mine = await Store.AddAsync(Note(User("alice"), "Alice loves the mountains and long hikes."), "user");
        var other = await Store.AddAsync(Note(User("alice"), "Alice cooked pasta."), "user");

        var hits = await Store.SearchByTextAsync("mountains hiking", new MemoryFilter(User("alice")));
        Assert.Equal([mine.Id], hits.Select(h => h.Record.Id));
        Assert.Equal([other.Id], (await Store.SearchByTextAsync("pasta", new MemoryFilter(User("alice")))).Select(h => h.Record.Id));
        Assert.Equal(10, (await Store.SearchByTextAsync("mountains", new MemoryFilter(User("crowd")))).Count);
    }

    [Fact]
    public async Task A_metadata_filter_keeps_records_whose_value_under_the_key_is_one_of_those_given()
    {
        var scope = User("alice");
        Task<MemoryRecord> Entity(string name, string? key) => Store.AddAsync(Note(scope, name, kind: MemoryKind.Entity) with
        {
            Metadata = key is null ? [] : new Dictionary<string, string> { ["normalized_name"] = key },
        }, "graph");
        var alice = await Entity("Alice", "alice");
        var acme = await Entity("ACME", "acme");
        await Entity("Oslo", "oslo");
        await Entity("nameless", null);
        await Store.AddAsync(Note(User("bob"), "Alice", kind: MemoryKind.Entity) with { Metadata = new Dictionary<string, string> { ["normalized_name"] = "alice" } }, "graph");

        var filter = new MemoryFilter(scope) { Kinds = [MemoryKind.Entity], Metadata = new MetadataMatch("normalized_name", ["alice", "acme", "nobody"]) };
        Assert.Equal(new[] { alice.Id, acme.Id }.Order(), (await Store.ListAsync(filter)).Select(r => r.Id).Order());
        Assert.Equal(2, await Store.CountAsync(filter));
        Assert.Empty(await Store.ListAsync(filter with { Metadata = new MetadataMatch("normalized_name", ["Alice"]) }));
    }

    [Fact]
    public async Task Batch_add_enqueues_its_jobs_in_the_same_transaction_and_a_known_key_once()
    {
        var scope = User("alice");
        var records = Enumerable.Range(0, 3).Select(i => Note(scope, $"raw input {i}", i == 0 ? null : Direction(i))).ToList();
        var jobs = records.Select(r => new MemoryJobRequest("memory.ingest", "{}", $"ingest:{r.Id}", scope)).ToList();
        Assert.Equal(3, await Store.AddBatchAsync(records, "user", jobs));
        Assert.Equal(3, await Store.CountJobsAsync(scope, MemoryJobStatus.Pending));
        var stored = await Store.GetManyAsync(records.Select(r => r.Id).ToList());
        Assert.Equal(records.Select(r => (r.Id, r.Content, r.Embedding?.Length)), stored.Select(r => (r.Id, r.Content, r.Embedding?.Length)));
        Assert.All(stored, r => Assert.Equal(1, r.Version));
        Assert.Equal([MemoryEvent.Add], (await Store.GetHistoryAsync(records[1].Id)).Select(h => h.Event));

        // A key that exists is not enqueued again; a record that exists refuses the whole batch, jobs included.
        Assert.Equal(1, await Store.AddBatchAsync([Note(scope, "another")], "user", [jobs[0]]));
        Assert.Equal(3, await Store.CountJobsAsync(scope, MemoryJobStatus.Pending));
        var before = await CountRowsAsync(Tenant);
        await Assert.ThrowsAsync<MemoryConflictException>(() => Store.AddBatchAsync([Note(scope, "new"), records[2]], "user",
            [new MemoryJobRequest("memory.ingest", "{}", "ingest:new", scope)]));
        Assert.Equal(before, await CountRowsAsync(Tenant));
    }

    // ------------------------------------------------------------------ write batches

    [Fact]
    public async Task A_write_batch_applies_adds_updates_no_changes_closes_and_edges_together()
    {
        var scope = User("alice");
        var old = await Store.AddAsync(Note(scope, "Alice lives in Oslo.", Direction(0), MemoryKind.Fact), "mem0");
        var known = await Store.AddAsync(Note(scope, "Alice likes tea.", Direction(40), MemoryKind.Fact), "mem0");
        var entity = await Store.AddAsync(Note(scope, "Alice", kind: MemoryKind.Entity), "graph");
        var oslo = await Store.AddAsync(Note(scope, "Oslo", kind: MemoryKind.Entity), "graph");
        var livesIn = Edge(entity, oslo, "lives_in", "Alice lives in Oslo", Start.AddYears(-1));
        await Store.AddEdgesAsync([livesIn]);
        Clock.Advance(TimeSpan.FromMinutes(1));

        var lisbon = Note(scope, "Lisbon", kind: MemoryKind.Entity);
        var fact = Note(scope, "Alice lives in Lisbon.", Direction(5), MemoryKind.Fact);
        var batch = new MemoryWriteBatch { Rebuildable = true }
            .Add(lisbon, "graph").Add(fact, "mem0")
            .Update(old with { InvalidAt = Start, ExpiredAt = Start }, "mem0", MemoryEvent.Invalidate)
            .NoChange(known.Id, "mem0")
            .CloseEdge(livesIn.Id, Start, null)
            .AddEdge(Edge(entity, lisbon, "lives_in", "Alice lives in Lisbon", Start));
        var result = await Store.WriteAsync(batch);

        Assert.Equal([lisbon.Id, fact.Id], result.Added.Select(r => r.Id));
        Assert.All(result.Added, r => Assert.Equal(1, r.Version));
        var retired = Assert.Single(result.Updated);
        Assert.Equal((2L, old.CreatedAt), (retired.Version, retired.CreatedAt));
        Assert.Equal(1, result.EdgesClosed);
        static object Key(MemoryRecord? r) => (r!.Id, r.Content, r.Version, r.InvalidAt, r.ExpiredAt, r.CreatedAt, r.UpdatedAt, r.Embedding!.Length);
        Assert.Equal(Key(retired), Key(await Store.GetAsync(old.Id)));
        Assert.Equal(Key(result.Added[1]), Key(await Store.GetAsync(fact.Id)));
        Assert.Equal([MemoryEvent.Add, MemoryEvent.Invalidate], (await Store.GetHistoryAsync(old.Id)).Select(h => h.Event));
        Assert.Equal([MemoryEvent.Add, MemoryEvent.None], (await Store.GetHistoryAsync(known.Id)).Select(h => h.Event));
        Assert.Equal([MemoryEvent.Add], (await Store.GetHistoryAsync(fact.Id)).Select(h => h.Event));
        var edges = await Store.GetEdgesAsync(new EdgeQuery(Tenant, [entity.Id]) { Direction = EdgeDirection.Outgoing, IncludeClosed = true });
        Assert.Equal(2, edges.Count);
        Assert.Equal(lisbon.Id, Assert.Single(edges, e => e.IsOpen).ToId);
        Assert.Equal(oslo.Id, Assert.Single(edges, e => !e.IsOpen).ToId);
        // A closed edge is skipped, not an error; an empty batch writes nothing.
        Assert.Equal(0, (await Store.WriteAsync(new MemoryWriteBatch().CloseEdge(livesIn.Id, Start, null))).EdgesClosed);
        Assert.Empty((await Store.WriteAsync(new MemoryWriteBatch())).Added);
    }

    [Fact]
    public async Task A_write_batch_that_cannot_apply_in_full_writes_nothing_and_says_why()
    {
        var scope = User("alice");
        var record = await Store.AddAsync(Note(scope, "Alice lives in Oslo.", Direction(0)), "a-mem");
        await Store.UpdateAsync(record with { Context = "moved" }, "a-mem", MemoryEvent.Evolve); // now at version 2
        var knows = Edge(await Store.AddAsync(Note(scope, "Alice", kind: MemoryKind.Entity), "graph"), await Store.AddAsync(Note(scope, "Bo", kind: MemoryKind.Entity), "graph"),
            "knows", "Alice knows Bo", Start);
        await Store.AddEdgesAsync([knows]);
        var before = await CountRowsAsync(Tenant);

        MemoryWriteBatch Fresh() => new MemoryWriteBatch().Add(Note(scope, "a new note", Direction(3)), "a-mem");
        var stale = Fresh().Update(record with { Context = "stale" }, "a-mem", MemoryEvent.Evolve);
        await Assert.ThrowsAsync<MemoryConflictException>(() => Store.WriteAsync(stale));
        var missing = Fresh().Update(Note(scope, "never stored") with { Version = 1 }, "a-mem", MemoryEvent.Evolve);
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => Store.WriteAsync(missing));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => Store.WriteAsync(Fresh().NoChange(Guid.NewGuid(), "mem0")));
        var dangling = Fresh();
        dangling.AddEdge(Edge(dangling.Adds[0].Record, Note(scope, "never stored"), "link"));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => Store.WriteAsync(dangling));
        var otherTenant = Fresh();
        otherTenant.AddEdge(Edge(otherTenant.Adds[0].Record, await Store.AddAsync(Note(new MemoryScope("x" + Tenant, userId: "bob"), "elsewhere"), "a-mem"), "link"));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => Store.WriteAsync(otherTenant));
        await Assert.ThrowsAsync<MemoryConflictException>(() => Store.WriteAsync(Fresh().Add(record, "a-mem")));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.WriteAsync(Fresh().Add(Note(scope, ""), "a-mem")));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.WriteAsync(Fresh().CloseEdge(knows.Id, Start.AddDays(-1), null)));

        Assert.Equal(before, await CountRowsAsync(Tenant));
        Assert.Equal(2, (await Store.GetAsync(record.Id))!.Version);
        Assert.True(Assert.Single(await Store.GetEdgesAsync(new EdgeQuery(Tenant, [knows.FromId]))).IsOpen);
    }

    [Fact]
    public async Task A_large_write_batch_applies_every_row_in_order_or_none()
    {
        // More rows of each kind than one statement takes on PostgreSQL (PostgresWriteStatements.MaxRowsPerStatement).
        const int n = 1_100;
        var scope = User("alice");
        var records = Enumerable.Range(0, n).Select(i => Note(scope, $"note {i}", Direction(i % 90))).ToList();
        var adds = new MemoryWriteBatch();
        foreach (var r in records) adds.Add(r, "a-mem");
        var added = (await Store.WriteAsync(adds)).Added;
        Assert.Equal(records.Select(r => r.Id), added.Select(r => r.Id));

        var updates = new MemoryWriteBatch();
        foreach (var r in added) updates.Update(r with { Context = "evolved " + r.Content }, "a-mem", MemoryEvent.Evolve);
        for (var i = 1; i < n; i++) updates.AddEdge(Edge(added[i - 1], added[i], "next"));
        var result = await Store.WriteAsync(updates);
        Assert.Equal(added.Select(r => (r.Id, 2L, r.CreatedAt)), result.Updated.Select(r => (r.Id, r.Version, r.CreatedAt)));
        Assert.Equal("evolved note 1099", (await Store.GetAsync(added[^1].Id))!.Context);
        Assert.Equal([MemoryEvent.Add, MemoryEvent.Evolve], (await Store.GetHistoryAsync(added[700].Id)).Select(h => h.Event));
        Assert.Equal(added[701].Id, Assert.Single(await Store.GetEdgesAsync(new EdgeQuery(Tenant, [added[700].Id]) { Direction = EdgeDirection.Outgoing })).ToId);

        // One stale update among many (in the last statement's rows) writes none of them.
        var stale = new MemoryWriteBatch();
        foreach (var r in result.Updated) stale.Update(r with { Context = "again" }, "a-mem", MemoryEvent.Evolve);
        stale.Updates[^1] = stale.Updates[^1] with { Record = result.Updated[^1] with { Version = 1, Context = "again" } };
        await Assert.ThrowsAsync<MemoryConflictException>(() => Store.WriteAsync(stale));
        Assert.Equal(2, (await Store.GetAsync(added[0].Id))!.Version);
    }

    // ------------------------------------------------------------------ edges

    protected MemoryEdge Edge(MemoryRecord from, MemoryRecord to, string type, string? fact = null, DateTimeOffset? validAt = null) => new()
    {
        Id = Guid.NewGuid(), Scope = from.Scope, FromId = from.Id, ToId = to.Id, Type = type, Fact = fact,
        FactEmbedding = fact is null ? null : Direction(20), ValidAt = validAt, Weight = 0.5, Sources = ["D2:1"],
    };

    [Fact]
    public async Task Edges_give_neighbours_by_direction_and_type_and_closing_keeps_them()
    {
        var alice = await Store.AddAsync(Note(User("alice"), "Alice", kind: MemoryKind.Entity), "graph");
        var acme = await Store.AddAsync(Note(User("alice"), "Acme", kind: MemoryKind.Entity), "graph");
        var note = await Store.AddAsync(Note(User("alice"), "a note"), "a-mem");
        var worksAt = Edge(alice, acme, "works_at", "Alice works at Acme", Start.AddYears(-1));
        var link = Edge(note, alice, "link");
        await Store.AddEdgesAsync([worksAt, link]);

        var outgoing = await Store.GetEdgesAsync(new EdgeQuery(Tenant, [alice.Id]) { Direction = EdgeDirection.Outgoing });
        var stored = Assert.Single(outgoing);
        Assert.Equal(worksAt.Id, stored.Id);
        Assert.Equal("Alice works at Acme", stored.Fact);
        Assert.Equal(worksAt.FactEmbedding, stored.FactEmbedding);
        Assert.Equal(0.5, stored.Weight);
        Assert.Equal(["D2:1"], stored.Sources);
        Assert.Equal(MemoryTime.Normalize(Start), stored.CreatedAt);
        // Without embeddings: the same edge, its embedding left out.
        var bare = Assert.Single(await Store.GetEdgesAsync(new EdgeQuery(Tenant, [alice.Id]) { Direction = EdgeDirection.Outgoing, WithEmbeddings = false }));
        Assert.Null(bare.FactEmbedding);
        Assert.Equal(stored with { FactEmbedding = null }, bare with { Sources = stored.Sources });
        Assert.Equal(stored.Sources, bare.Sources);
        Assert.NotNull(worksAt.FactEmbedding);
        Assert.Equal([link.Id], (await Store.GetEdgesAsync(new EdgeQuery(Tenant, [alice.Id]) { Direction = EdgeDirection.Incoming })).Select(e => e.Id));
        Assert.Equal(2, (await Store.GetEdgesAsync(new EdgeQuery(Tenant, [alice.Id]))).Count);
        Assert.Equal([link.Id], (await Store.GetEdgesAsync(new EdgeQuery(Tenant, [alice.Id]) { Types = ["link"] })).Select(e => e.Id));
        Assert.Equal([worksAt.Id], (await Store.GetEdgesAsync(new EdgeQuery(Tenant, [alice.Id]) { ExcludeTypes = ["link", "mentioned_in"] })).Select(e => e.Id));
        Assert.Empty(await Store.GetEdgesAsync(new EdgeQuery(Tenant, [alice.Id]) { Types = ["link"], ExcludeTypes = ["link"] }));
        Assert.Empty(await Store.GetEdgesAsync(new EdgeQuery("other-" + Tenant, [alice.Id])));

        Clock.Advance(TimeSpan.FromHours(1));
        var leftAcme = Start.AddDays(-7);
        Assert.True(await Store.CloseEdgeAsync(worksAt.Id, invalidAt: leftAcme));
        Assert.False(await Store.CloseEdgeAsync(worksAt.Id, invalidAt: leftAcme));
        Assert.False(await Store.CloseEdgeAsync(Guid.NewGuid(), null));

        Assert.Empty(await Store.GetEdgesAsync(new EdgeQuery(Tenant, [alice.Id]) { Direction = EdgeDirection.Outgoing }));
        var closed = Assert.Single(await Store.GetEdgesAsync(new EdgeQuery(Tenant, [alice.Id]) { Direction = EdgeDirection.Outgoing, IncludeClosed = true }));
        Assert.Equal(leftAcme, closed.InvalidAt);
        Assert.Equal(Start.AddHours(1), closed.ExpiredAt);
        Assert.Equal([worksAt.Id], (await Store.GetEdgesAsync(new EdgeQuery(Tenant, [acme.Id]) { AsOf = Start.AddMonths(-1) })).Select(e => e.Id));
        Assert.Empty(await Store.GetEdgesAsync(new EdgeQuery(Tenant, [acme.Id]) { AsOf = Start.AddDays(-1) }));
    }

    [Fact]
    public async Task An_edge_to_a_record_that_does_not_exist_is_refused_and_nothing_is_written()
    {
        var a = await Store.AddAsync(Note(User("alice"), "a"), "user");
        var elsewhere = await Store.AddAsync(Note(new MemoryScope("other-" + Tenant, userId: "alice"), "other tenant"), "user");
        var good = Edge(a, a, "link");
        var ghost = Edge(a, a, "link") with { ToId = Guid.NewGuid() };
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => Store.AddEdgesAsync([good, ghost]));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => Store.AddEdgesAsync([Edge(a, a, "link") with { ToId = elsewhere.Id }]));
        await Assert.ThrowsAsync<EmbeddingDimensionException>(() => Store.AddEdgesAsync([good with { Fact = "f", FactEmbedding = new float[3] { 1, 2, 3 } }]));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.AddEdgesAsync([good with { Type = " " }]));
        Assert.Empty(await Store.GetEdgesAsync(new EdgeQuery(Tenant, [a.Id]) { IncludeClosed = true }));
        Assert.Equal(0, (await CountRowsAsync(Tenant)).Edges);
    }

    // ------------------------------------------------------------------ complete deletion

    [Fact]
    public async Task Deleting_a_scope_removes_records_embeddings_edges_history_and_jobs_completely()
    {
        var doomed = User("alice");
        var kept = User("bob");
        var a1 = await Store.AddAsync(Note(doomed, "a1", Direction(1)), "user", [new MemoryJobRequest("test.enrich", "{\"n\":1}", "a1-" + Tenant)]);
        var a2 = await Store.AddAsync(Note(new MemoryScope(Tenant, userId: "alice", runId: "r9"), "a2", Direction(2)), "user");
        var a3 = await Store.AddAsync(Note(doomed, "a3"), "user");
        await Store.UpdateAsync(a3 with { Content = "a3 v2" }, "user");
        var gone = await Store.AddAsync(Note(doomed, "deleted before"), "user");
        await Store.DeleteAsync(gone.Id, "user");
        var b1 = await Store.AddAsync(Note(kept, "b1", Direction(3)), "user", [new MemoryJobRequest("test.enrich", "{}", "b1-" + Tenant)]);
        await Store.AddEdgesAsync([Edge(a1, a2, "link", "fact", null), Edge(b1, a1, "mentions"), Edge(b1, b1, "self")]);

        var before = await CountRowsAsync(Tenant);
        Assert.Equal(new MemoryRowCounts(Records: 4, Embeddings: 4, Edges: 3, History: 7, Jobs: 2), before);

        var deleted = await Store.DeleteScopeAsync(doomed);

        Assert.Equal(new ScopeDeletion(Records: 3, Embeddings: 3, Edges: 2, History: 6, Jobs: 1), deleted);
        Assert.Equal(new MemoryRowCounts(Records: 1, Embeddings: 1, Edges: 1, History: 1, Jobs: 1), await CountRowsAsync(Tenant));
        Assert.Empty(await Store.ListAsync(new MemoryFilter(doomed) { IncludeExpired = true }));
        Assert.Empty(await Store.GetHistoryAsync(gone.Id));
        Assert.Empty(await Store.GetHistoryAsync(a3.Id));
        Assert.Equal([b1.Id], (await Store.SearchByVectorAsync(Direction(0), new MemoryFilter(new MemoryScope(Tenant, userId: "bob")))).Select(h => h.Record.Id));
        Assert.Empty(await Store.SearchByVectorAsync(Direction(0), new MemoryFilter(doomed)));
        Assert.Empty(await Store.SearchByTextAsync("a1", new MemoryFilter(doomed)));
        Assert.Equal(0, await Store.CountJobsAsync(doomed, MemoryJobStatus.Pending));
        Assert.Equal(new ScopeDeletion(0, 0, 0, 0, 0), await Store.DeleteScopeAsync(doomed));
    }

    // ------------------------------------------------------------------ jobs

    [Fact]
    public async Task A_record_and_its_jobs_commit_together_and_duplicates_are_not_enqueued()
    {
        var kind = "test." + Guid.NewGuid().ToString("N")[..8];
        var record = await Store.AddAsync(Note(User("alice"), "raw", kind: MemoryKind.Message), "user",
            [new MemoryJobRequest(kind, $"{{\"record\":\"{Guid.Empty}\"}}", "enrich-1"), new MemoryJobRequest(kind, "{}", "link-1")]);
        Assert.Equal(2, await Store.CountJobsAsync(User("alice"), MemoryJobStatus.Pending));

        var again = await Store.EnqueueAsync([new MemoryJobRequest(kind, "{\"other\":true}", "enrich-1", User("alice")), new MemoryJobRequest(kind, "{}", "fresh", User("alice"))]);
        Assert.Equal(2, again.Count);
        Assert.Equal($"{{\"record\":\"{Guid.Empty}\"}}", again[0].PayloadJson);
        Assert.Equal(3, await Store.CountJobsAsync(User("alice"), MemoryJobStatus.Pending));

        // A record whose write fails leaves no job behind.
        await Assert.ThrowsAsync<MemoryConflictException>(() => Store.AddAsync(record, "user", [new MemoryJobRequest(kind, "{}", "orphan")]));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.AddAsync(Note(User("alice"), "x"), "user", [new MemoryJobRequest(kind, "{not json", "bad")]));
        Assert.Equal(3, await Store.CountJobsAsync(User("alice"), MemoryJobStatus.Pending));
        Assert.Equal(3, (await CountRowsAsync(Tenant)).Jobs);
    }

    [Fact]
    public async Task A_record_added_again_after_its_deletion_takes_over_its_old_jobs_key_as_a_pending_job()
    {
        var kind = "test." + Guid.NewGuid().ToString("N")[..8];
        var scope = User("bea" + Guid.NewGuid().ToString("N")[..6]);
        var key = "ingest-" + Guid.NewGuid().ToString("N")[..8];
        var firstJob = Guid.NewGuid();
        var record = await Store.AddAsync(Note(scope, "raw", kind: MemoryKind.Message), "user", [new MemoryJobRequest(kind, "{\"run\":1}", key) { Id = firstJob }]);
        var claimed = await Store.ClaimJobsAsync("w1", 10, TimeSpan.FromMinutes(1), [kind]);
        Assert.Equal(firstJob, Assert.Single(claimed).Id);
        Assert.True(await Store.CompleteJobAsync(firstJob, "w1"));
        Assert.True(await Store.DeleteAsync(record.Id, "user"));

        // The same record again (an add repeated after its memory was deleted) needs its work again.
        var secondJob = Guid.NewGuid();
        await Store.AddAsync(record, "user", [new MemoryJobRequest(kind, "{\"run\":2}", key) { Id = secondJob }]);
        Assert.Null(await Store.GetJobAsync(firstJob));
        var job = await Store.GetJobAsync(secondJob);
        Assert.NotNull(job);
        Assert.Equal(MemoryJobStatus.Pending, job.Status);
        Assert.Equal("{\"run\":2}", job.PayloadJson);
        Assert.Equal(0, job.Attempts);
        Assert.Equal(1, await Store.CountJobsAsync(scope, MemoryJobStatus.Pending));
        Assert.Equal(0, await Store.CountJobsAsync(scope, MemoryJobStatus.Completed));
        Assert.Equal(secondJob, Assert.Single(await Store.ClaimJobsAsync("w2", 10, TimeSpan.FromMinutes(1), [kind])).Id);
    }

    [Fact]
    public async Task Jobs_are_claimed_under_a_lease_that_returns_them_when_it_expires()
    {
        var kind = "test." + Guid.NewGuid().ToString("N")[..8];
        await Store.AddAsync(Note(User("alice"), "first"), "user", [new MemoryJobRequest(kind, "{\"n\":1}", "j1")]);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.AddAsync(Note(User("alice"), "second"), "user", [new MemoryJobRequest(kind, "{\"n\":2}", "j2")]);
        var kinds = new[] { kind };

        var claimed = await Store.ClaimJobsAsync("worker-a", 10, TimeSpan.FromMinutes(1), kinds);
        Assert.Equal(["j1", "j2"], claimed.Select(j => j.IdempotencyKey));
        Assert.All(claimed, j => { Assert.Equal("worker-a", j.LeaseOwner); Assert.Equal(1, j.Attempts); });
        Assert.Empty(await Store.ClaimJobsAsync("worker-b", 10, TimeSpan.FromMinutes(1), kinds));

        Assert.True(await Store.CompleteJobAsync(claimed[0].Id, "worker-a"));
        Assert.False(await Store.CompleteJobAsync(claimed[0].Id, "worker-a"));
        Assert.Equal(MemoryJobStatus.Completed, (await Store.GetJobAsync(claimed[0].Id))!.Status);

        // worker-a "crashes" holding j2: once its lease expires, j2 is claimable again.
        Clock.Advance(TimeSpan.FromMinutes(2));
        var reclaimed = Assert.Single(await Store.ClaimJobsAsync("worker-b", 10, TimeSpan.FromMinutes(1), kinds));
        Assert.Equal(claimed[1].Id, reclaimed.Id);
        Assert.Equal(2, reclaimed.Attempts);
        Assert.False(await Store.CompleteJobAsync(reclaimed.Id, "worker-a"));

        // A failure with a retry time makes it available then; without one it is given up.
        Assert.True(await Store.FailJobAsync(reclaimed.Id, "worker-b", "model timed out", Clock.GetUtcNow().AddSeconds(30)));
        Assert.Empty(await Store.ClaimJobsAsync("worker-b", 10, TimeSpan.FromMinutes(1), kinds));
        Clock.Advance(TimeSpan.FromSeconds(31));
        var retried = Assert.Single(await Store.ClaimJobsAsync("worker-c", 10, TimeSpan.FromMinutes(1), kinds));
        Assert.Equal("model timed out", retried.LastError);
        Assert.True(await Store.FailJobAsync(retried.Id, "worker-c", "bad payload", null));
        var failed = await Store.GetJobAsync(retried.Id);
        Assert.Equal(MemoryJobStatus.Failed, failed!.Status);
        Assert.Equal(3, failed.Attempts);
        Assert.Empty(await Store.ClaimJobsAsync("worker-c", 10, TimeSpan.FromMinutes(10), kinds));
        Assert.Equal(1, await Store.CountJobsAsync(User("alice"), MemoryJobStatus.Completed));
        Assert.Equal(1, await Store.CountJobsAsync(User("alice"), MemoryJobStatus.Failed));
    }

    [Fact]
    public async Task A_scopes_jobs_are_claimed_by_one_worker_at_a_time_oldest_first_and_not_by_a_containing_scope()
    {
        var kind = "test." + Guid.NewGuid().ToString("N")[..8];
        var kinds = new[] { kind };
        var alice = User("alice");
        var aliceRun = User("alice", "r1");
        await Store.AddAsync(Note(alice, "a1"), "user", [new MemoryJobRequest(kind, "{}", "a1")]);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.AddAsync(Note(alice, "a2"), "user", [new MemoryJobRequest(kind, "{}", "a2")]);
        await Store.AddAsync(Note(aliceRun, "r1"), "user", [new MemoryJobRequest(kind, "{}", "r1")]);
        Assert.Equal(ScopeJobClaim.Idle, await Store.ClaimScopeJobAsync(User("nobody"), "w1", TimeSpan.FromSeconds(30), kinds));

        var first = await Store.ClaimScopeJobAsync(alice, "w1", TimeSpan.FromSeconds(30), kinds);
        Assert.Equal(("a1", 2L), (first.Job!.IdempotencyKey, first.Pending));          // the run's job is another scope's
        Assert.Equal(1, first.Job.Attempts);

        // While w1 holds a1, no other worker gets any of alice's jobs, and learns when to look again.
        var busy = await Store.ClaimScopeJobAsync(alice, "w2", TimeSpan.FromSeconds(30), kinds);
        Assert.Null(busy.Job);
        Assert.Equal(2, busy.Pending);
        Assert.Equal(first.Job.LeaseExpiresAt, busy.RetryAt);
        // Another scope proceeds meanwhile.
        Assert.Equal("r1", (await Store.ClaimScopeJobAsync(aliceRun, "w2", TimeSpan.FromSeconds(30), kinds)).Job!.IdempotencyKey);

        // The holder renews its lease while it works; the next job follows once it is done.
        Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await Store.RenewJobLeaseAsync(first.Job.Id, "w1", TimeSpan.FromSeconds(30)));
        Assert.False(await Store.RenewJobLeaseAsync(first.Job.Id, "w2", TimeSpan.FromSeconds(30)));
        Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Null((await Store.ClaimScopeJobAsync(alice, "w2", TimeSpan.FromSeconds(30), kinds)).Job);
        Assert.True(await Store.CompleteJobAsync(first.Job.Id, "w1"));
        var second = await Store.ClaimScopeJobAsync(alice, "w1", TimeSpan.FromSeconds(30), kinds);
        Assert.Equal(("a2", 1L), (second.Job!.IdempotencyKey, second.Pending));

        // w1 dies holding a2: its lease runs out, then w2 takes it over.
        Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.False(await Store.RenewJobLeaseAsync(second.Job.Id, "w1", TimeSpan.FromSeconds(30)));
        var takenOver = await Store.ClaimScopeJobAsync(alice, "w2", TimeSpan.FromSeconds(30), kinds);
        Assert.Equal((second.Job.Id, 2), (takenOver.Job!.Id, takenOver.Job.Attempts));

        // A retry's back-off is reported as the time to look again.
        var retryAt = Clock.GetUtcNow().AddSeconds(5);
        Assert.True(await Store.FailJobAsync(takenOver.Job.Id, "w2", "model timed out", retryAt));
        var waiting = await Store.ClaimScopeJobAsync(alice, "w2", TimeSpan.FromSeconds(30), kinds);
        Assert.Equal((null, 1L, retryAt), (waiting.Job, waiting.Pending, waiting.RetryAt));
        Assert.Contains(alice, await Store.ListScopesWithPendingJobsAsync(100));
        Assert.Contains(aliceRun, await Store.ListScopesWithPendingJobsAsync(100));
    }

    [Fact]
    public async Task A_job_claimed_ahead_and_released_unstarted_is_claimable_at_once_without_a_counted_attempt()
    {
        var kind = "test." + Guid.NewGuid().ToString("N")[..8];
        var kinds = new[] { kind };
        var carol = User("carol");
        await Store.AddAsync(Note(carol, "c1"), "user", [new MemoryJobRequest(kind, "{}", "c1")]);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.AddAsync(Note(carol, "c2"), "user", [new MemoryJobRequest(kind, "{}", "c2")]);

        // The scope's holder claims its next job while it still holds the one before (its own lease is no bar).
        var running = await Store.ClaimScopeJobAsync(carol, "w1", TimeSpan.FromSeconds(30), kinds);
        var ahead = await Store.ClaimScopeJobAsync(carol, "w1", TimeSpan.FromSeconds(30), kinds);
        Assert.Equal(("c1", "c2"), (running.Job!.IdempotencyKey, ahead.Job!.IdempotencyKey));
        Assert.Equal(1, ahead.Job.Attempts);

        // Only the holder can give it back; given back, it is pending, unowned, and its claim is not an attempt.
        Assert.False(await Store.ReleaseJobAsync(ahead.Job.Id, "w2"));
        Assert.True(await Store.ReleaseJobAsync(ahead.Job.Id, "w1"));
        Assert.False(await Store.ReleaseJobAsync(ahead.Job.Id, "w1"));
        var released = (await Store.GetJobAsync(ahead.Job.Id))!;
        Assert.Equal((MemoryJobStatus.Pending, null, 0, null), (released.Status, released.LeaseOwner, released.Attempts, released.LastError));

        // Once the job before is done, another worker takes it over at once, as its first attempt.
        Assert.True(await Store.CompleteJobAsync(running.Job.Id, "w1"));
        var next = await Store.ClaimScopeJobAsync(carol, "w2", TimeSpan.FromSeconds(30), kinds);
        Assert.Equal((ahead.Job.Id, 1), (next.Job!.Id, next.Job.Attempts));
    }

    [Fact]
    public async Task Concurrent_claims_of_one_scope_never_lease_two_of_its_jobs_at_once()
    {
        var kind = "test." + Guid.NewGuid().ToString("N")[..8];
        var bob = User("bob");
        for (var i = 0; i < 6; i++)
        {
            await Store.AddAsync(Note(bob, $"b{i}"), "user", [new MemoryJobRequest(kind, "{}", $"b{i}")]);
            Clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Store.ClaimScopeJobAsync(bob, $"w{w}", TimeSpan.FromSeconds(30), [kind])));

        var won = Assert.Single(claims, c => c.Job is not null);
        Assert.Equal("b0", won.Job!.IdempotencyKey);
    }

    // ------------------------------------------------------------------ bad input

    [Fact]
    public async Task Bad_input_gets_a_specific_error_and_writes_nothing()
    {
        var alice = User("alice");
        var nan = Direction(0); nan[7] = float.NaN;
        var infinite = Direction(0); infinite[3] = float.PositiveInfinity;

        var dimension = await Assert.ThrowsAsync<EmbeddingDimensionException>(() => Store.AddAsync(Note(alice, "x", new float[Dimension + 1]), "user"));
        Assert.Equal(Dimension, dimension.Expected);
        Assert.Contains("385 dimensions", dimension.Message);
        await Assert.ThrowsAsync<InvalidEmbeddingException>(() => Store.AddAsync(Note(alice, "x", nan), "user"));
        await Assert.ThrowsAsync<InvalidEmbeddingException>(() => Store.AddAsync(Note(alice, "x", infinite), "user"));
        await Assert.ThrowsAsync<InvalidEmbeddingException>(() => Store.AddAsync(Note(alice, "x", new float[Dimension]), "user"));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.AddAsync(Note(alice, ""), "user"));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.AddAsync(Note(alice, " \n\t "), "user"));
        var oversized = await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.AddAsync(Note(alice, new string('a', 1001)), "user"));
        Assert.Contains("limit is 1000", oversized.Message);
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.AddAsync(Note(alice, "nul \0 inside"), "user"));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.AddAsync(Note(alice, "x"), " "));
        await Assert.ThrowsAsync<InvalidMemoryScopeException>(() => Store.AddAsync(Note(alice, "x") with { Scope = null! }, "user"));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.AddAsync(Note(alice, "x") with { ValidAt = Start, InvalidAt = Start.AddDays(-1) }, "user"));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => Store.AddAsync(Note(alice, "x") with { Tags = [""] }, "user"));

        // One bad record spoils the whole batch.
        var batch = new[] { Note(alice, "good", Direction(1)), Note(alice, "bad", new float[3] { 1, 1, 1 }) };
        await Assert.ThrowsAsync<EmbeddingDimensionException>(() => Store.AddBatchAsync(batch, "import"));

        // Queries are checked the same way.
        await Assert.ThrowsAsync<EmbeddingDimensionException>(() => Store.SearchByVectorAsync(new float[8], new MemoryFilter(alice)));
        await Assert.ThrowsAsync<InvalidEmbeddingException>(() => Store.SearchByVectorAsync(nan, new MemoryFilter(alice)));

        Assert.Equal(new MemoryRowCounts(0, 0, 0, 0, 0), await CountRowsAsync(Tenant));
    }

    [Fact]
    public void A_scope_without_user_agent_run_or_team_is_refused_with_a_clear_message()
    {
        var none = Assert.Throws<InvalidMemoryScopeException>(() => new MemoryScope(Tenant));
        Assert.Contains("at least one is required", none.Message);
        Assert.Throws<InvalidMemoryScopeException>(() => new MemoryScope("", userId: "alice"));
        Assert.Throws<InvalidMemoryScopeException>(() => new MemoryScope(Tenant, userId: " "));
        Assert.Throws<InvalidMemoryScopeException>(() => new MemoryScope(Tenant, userId: "a\nb"));
        Assert.Throws<InvalidMemoryScopeException>(() => new MemoryScope(Tenant, agentId: new string('x', 257)));
        Assert.True(new MemoryScope(Tenant, userId: "alice").Contains(new MemoryScope(Tenant, userId: "alice", runId: "r1")));
        Assert.False(new MemoryScope(Tenant, userId: "alice", runId: "r1").Contains(new MemoryScope(Tenant, userId: "alice")));
    }
}
