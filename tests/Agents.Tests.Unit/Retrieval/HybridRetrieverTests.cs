using Agents.Inference.Offline;
using Agents.Memory.Model;
using Agents.Memory.Retrieval;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;

namespace Agents.Tests.Unit.Retrieval;

public sealed class HybridRetrieverTests : IDisposable
{
    private static readonly DateTimeOffset Jan2020 = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Jan2021 = new(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Jan2022 = new(2022, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly HashingEmbedder _embedder = new();
    private readonly EmbeddedMemoryStore _store = new(new MemoryStoreOptions { Dimension = 384 });
    private readonly MemoryScope _scope = MemoryScope.ForUser("alice");

    public void Dispose() => _store.Dispose();

    private MemoryRecord Note(string content, DateTimeOffset validAt, DateTimeOffset? invalidAt = null, string? speaker = null, MemoryScope? scope = null, string[]? tags = null, string? source = null) => new()
    {
        Id = Guid.NewGuid(),
        Scope = scope ?? _scope,
        Kind = MemoryKind.Fact,
        Content = content,
        Embedding = _embedder.Embed(content),
        Tags = tags ?? [],
        Metadata = speaker is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["speaker"] = speaker },
        Sources = [source ?? content],
        ObservedAt = validAt,
        ValidAt = validAt,
        InvalidAt = invalidAt,
    };

    private HybridRetriever Retriever(HybridRetrieverOptions? options = null) => new(_store, _embedder, options);

    [Fact]
    public async Task As_of_returns_only_facts_valid_then()
    {
        var old = Note("Alice lives in Paris", Jan2020, invalidAt: Jan2021);
        var current = Note("Alice lives in Rome", Jan2021);
        await _store.AddBatchAsync([old, current], "test");
        var retriever = Retriever();

        var in2020 = await retriever.RetrieveAsync(new MemorySearchRequest("Where does Alice live?", new MemoryFilter(_scope) { AsOf = new DateTimeOffset(2020, 6, 1, 0, 0, 0, TimeSpan.Zero) }), default);
        Assert.Equal([old.Id], in2020.Select(h => h.Record.Id));

        var in2022 = await retriever.RetrieveAsync(new MemorySearchRequest("Where does Alice live?", new MemoryFilter(_scope) { AsOf = Jan2022 }), default);
        Assert.Equal([current.Id], in2022.Select(h => h.Record.Id));

        var now = await retriever.RetrieveAsync(new MemorySearchRequest("Where does Alice live?", new MemoryFilter(_scope)), default);
        Assert.Equal(2, now.Count);
    }

    [Fact]
    public async Task Graph_expansion_reaches_linked_records_but_respects_the_filter()
    {
        var seed = Note("The quarterly budget meeting moved to Thursday", Jan2021, source: "m1");
        var linked = Note("Bring the printed slides", Jan2021, source: "m2");
        var closed = Note("Catering was cancelled", Jan2020, invalidAt: Jan2021, source: "m3");
        var unrelated = Note("Bob plays the violin", Jan2021, source: "m4");
        await _store.AddBatchAsync([seed, linked, closed, unrelated], "test");
        await _store.AddEdgesAsync([
            new MemoryEdge { Id = Guid.NewGuid(), Scope = _scope, FromId = seed.Id, ToId = linked.Id, Type = "link" },
            new MemoryEdge { Id = Guid.NewGuid(), Scope = _scope, FromId = seed.Id, ToId = closed.Id, Type = "link" },
        ]);
        var retriever = Retriever(new HybridRetrieverOptions { GraphWeight = 1.0 });

        var hits = await retriever.RetrieveAsync(new MemorySearchRequest("budget meeting", new MemoryFilter(_scope) { AsOf = Jan2022 }) { TopK = 10 }, default);
        Assert.Equal(seed.Id, hits[0].Record.Id);
        Assert.NotNull(hits[0].Text);
        var reached = Assert.Single(hits, h => h.Record.Id == linked.Id);
        Assert.NotNull(reached.Graph);
        Assert.Null(reached.Text);
        Assert.Equal(["m2"], reached.Sources);
        // The closed note is linked too, but it was no longer valid at the as-of time.
        Assert.DoesNotContain(hits, h => h.Record.Id == closed.Id);
    }

    [Fact]
    public async Task Scope_and_tags_bind_every_signal()
    {
        var mine = Note("Alice's favourite colour is green", Jan2021, tags: ["preferences"]);
        var theirs = Note("Alice's favourite colour is green", Jan2021, scope: MemoryScope.ForUser("bob"), tags: ["preferences"]);
        var untagged = Note("Alice's favourite colour was green once", Jan2021);
        await _store.AddBatchAsync([mine, theirs, untagged], "test");
        var hits = await Retriever().RetrieveAsync(new MemorySearchRequest("favourite colour", new MemoryFilter(_scope) { Tags = ["preferences"] }), default);
        Assert.Equal([mine.Id], hits.Select(h => h.Record.Id));
    }

    [Fact]
    public async Task A_named_speaker_and_a_named_date_favour_matching_records()
    {
        var hers = Note("I went hiking in the mountains", Jan2021, speaker: "Gina");
        var his = Note("I went hiking in the mountains", Jan2021, speaker: "Jon");
        var later = Note("I went hiking in the mountains", Jan2022, speaker: "Jon");
        await _store.AddBatchAsync([hers, his, later], "test");
        var retriever = Retriever(new HybridRetrieverOptions { GraphWeight = 0 });

        var gina = await retriever.RetrieveAsync(new MemorySearchRequest("Where did Gina go hiking?", new MemoryFilter(_scope)), default);
        Assert.Equal(hers.Id, gina[0].Record.Id);
        Assert.Equal(2.0, gina[0].Text!.Value.Boost);

        var jon2022 = await retriever.RetrieveAsync(new MemorySearchRequest("Where did Jon go hiking in January 2022?", new MemoryFilter(_scope)), default);
        Assert.Equal(later.Id, jon2022[0].Record.Id);
        Assert.Equal(4.0, jon2022[0].Text!.Value.Boost);
    }

    [Fact]
    public async Task A_record_that_only_asks_is_demoted_below_one_that_answers()
    {
        var question = Note("Do you play any instruments?", Jan2021, source: "q");
        var answer = Note("I play two instruments, the clarinet and the violin.", Jan2021, source: "a");
        await _store.AddBatchAsync([question, answer], "test");
        var request = new MemorySearchRequest("Which instruments does Bob play?", new MemoryFilter(_scope));

        // Off: the shorter question matches the same words more densely and comes first.
        var off = await Retriever(new HybridRetrieverOptions { GraphWeight = 0, QuestionDemotion = 0 }).RetrieveAsync(request, default);
        Assert.Equal(question.Id, off[0].Record.Id);

        var on = await Retriever(new HybridRetrieverOptions { GraphWeight = 0, QuestionDemotion = 0.5 }).RetrieveAsync(request, default);
        Assert.Equal(answer.Id, on[0].Record.Id);
        Assert.Equal(0.5, on.Single(h => h.Record.Id == question.Id).Text!.Value.Boost, 9);
        Assert.Equal(1.0, on[0].Text!.Value.Boost, 9);
    }

    [Fact]
    public async Task A_record_that_says_little_is_demoted_below_one_that_says_more()
    {
        // BM25 favours the one-word reply (the word is all of it); the length prior favours the turn that
        // tells something about the clarinet.
        var reply = Note("Clarinet!", Jan2021, source: "r");
        var statement = Note("I have been playing the clarinet for ten years in a city orchestra.", Jan2021, source: "s");
        await _store.AddBatchAsync([reply, statement], "test");
        var request = new MemorySearchRequest("clarinet", new MemoryFilter(_scope));

        var off = await Retriever(new HybridRetrieverOptions { VectorWeight = 0, GraphWeight = 0, QuestionDemotion = 0 }).RetrieveAsync(request, default);
        Assert.Equal([reply.Id, statement.Id], off.Select(h => h.Record.Id));
        Assert.All(off, h => Assert.Equal(1.0, h.Text!.Value.Boost));

        var on = await Retriever(new HybridRetrieverOptions { VectorWeight = 0, GraphWeight = 0, QuestionDemotion = 0, LengthPriorTerms = 16 }).RetrieveAsync(request, default);
        Assert.Equal([statement.Id, reply.Id], on.Select(h => h.Record.Id));
        Assert.Equal(Math.Sqrt(1 / 17.0), on[1].Text!.Value.Boost, 9);
        Assert.Equal(Math.Sqrt(6 / 22.0), on[0].Text!.Value.Boost, 9);
    }

    [Fact]
    public async Task The_content_signal_favours_the_record_that_says_the_words_over_one_that_quotes_them()
    {
        // The reply matches "kayak" only through its context (the turn it answers, quoted), and more
        // densely than the long turn that actually says it.
        var says = Note("We finally took the kayak out, paddled along the whole northern shore of the bay and stopped for lunch on a little island", Jan2021, source: "t1");
        var quotes = Note("Yes, wonderful!", Jan2021, source: "t2") with { Context = "Ann: kayak kayak" };
        await _store.AddBatchAsync([says, quotes], "test");
        var request = new MemorySearchRequest("kayak", new MemoryFilter(_scope));

        var textOnly = await Retriever(new HybridRetrieverOptions { VectorWeight = 0, GraphWeight = 0, ContentTextWeight = 0 }).RetrieveAsync(request, default);
        Assert.Equal([quotes.Id, says.Id], textOnly.Select(h => h.Record.Id));
        Assert.All(textOnly, h => Assert.Null(h.ContentText));

        var withContent = await Retriever(new HybridRetrieverOptions { VectorWeight = 0, GraphWeight = 0, ContentTextWeight = 1 }).RetrieveAsync(request, default);
        Assert.Equal([says.Id, quotes.Id], withContent.Select(h => h.Record.Id));
        Assert.Equal(1, withContent[0].ContentText!.Value.Rank);
        Assert.Null(withContent[1].ContentText);
    }

    [Fact]
    public async Task Results_carry_sources_and_respect_top_k_and_min_score()
    {
        for (var i = 0; i < 5; i++)
            await _store.AddAsync(Note($"note {i} about gardening tomatoes", Jan2021, source: $"turn-{i}"), "test");
        var retriever = Retriever();
        var hits = await retriever.RetrieveAsync(new MemorySearchRequest("gardening tomatoes", new MemoryFilter(_scope)) { TopK = 3 }, default);
        Assert.Equal(3, hits.Count);
        Assert.All(hits, h => Assert.StartsWith("turn-", Assert.Single(h.Sources)));
        Assert.True(hits[0].Score >= hits[1].Score && hits[1].Score >= hits[2].Score);
        var none = await retriever.SearchAsync(new MemorySearchRequest("gardening tomatoes", new MemoryFilter(_scope)) { MinScore = 1.0 }, default);
        Assert.Empty(none);
    }

    [Fact]
    public async Task Bad_requests_are_refused()
    {
        var retriever = Retriever();
        await Assert.ThrowsAsync<ArgumentException>(() => retriever.RetrieveAsync(new MemorySearchRequest("  ", new MemoryFilter(_scope)), default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => retriever.RetrieveAsync(new MemorySearchRequest("x", new MemoryFilter(_scope)) { TopK = 0 }, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => Retriever(new HybridRetrieverOptions { RrfK = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Retriever(new HybridRetrieverOptions { VectorWeight = 0, TextWeight = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Retriever(new HybridRetrieverOptions { QuestionDemotion = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Retriever(new HybridRetrieverOptions { ContentTextWeight = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Retriever(new HybridRetrieverOptions { QuestionDemotion = -0.1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Retriever(new HybridRetrieverOptions { LengthPriorTerms = -1 }));
    }
}
