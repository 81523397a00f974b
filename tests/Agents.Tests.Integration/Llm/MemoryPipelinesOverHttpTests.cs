using System.Text.RegularExpressions;
using Agents.Inference.Llm;
using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Notes;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using Agents.Tests.Unit.Memory.Pipelines;

namespace Agents.Tests.Integration.Llm;

/// <summary>
/// The memory pipelines' LLM mode end to end over real HTTP: engine → StructuredChat → OpenAI client →
/// scripted OpenAI-compatible server. Shows the prompt contents, that Mem0 consolidation never shows a
/// real id (small integers instead), and that an answer naming an id that does not exist fails the
/// step with nothing of it written.
/// </summary>
public sealed partial class MemoryPipelinesOverHttpTests : IAsyncLifetime
{
    private static readonly MemoryScope Ann = MemoryScope.ForUser("ann");
    private static readonly DateTimeOffset Day1 = new(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = new(2023, 6, 9, 10, 0, 0, TimeSpan.Zero);

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex GuidPattern();

    private ScriptedOpenAiServer _server = null!;
    private PipelineRouter _router = null!;
    private LlmEndpoint _endpoint = null!;
    private readonly EmbeddedMemoryStore _store = new();

    public async Task InitializeAsync()
    {
        _server = await ScriptedOpenAiServer.StartAsync();
        _router = new PipelineRouter(_server);
        _endpoint = TestEndpoint.Create(_server);
    }

    public async Task DisposeAsync()
    {
        _endpoint.Dispose();
        _store.Dispose();
        await _server.DisposeAsync();
    }

    private MemoryEngine Engine(int maxAttempts = 1) => new(_store, new HashingEmbedder(), MemoryModels.Llm(_endpoint.StructuredChat!), new MemoryEngineOptions
    {
        PollInterval = TimeSpan.FromMilliseconds(20),
        RetryDelay = TimeSpan.Zero,
        MaxAttempts = maxAttempts,
    });

    private Task<IReadOnlyList<MemoryRecord>> FactsAsync(bool includeExpired = false) =>
        _store.ListAsync(new MemoryFilter(Ann) { Kinds = [MemoryKind.Fact], IncludeExpired = includeExpired }, 1000);

    private async Task<MemoryRecord> AddOsloFactAsync(MemoryEngine engine)
    {
        _router.Then(PipelineRouter.Extraction, """{"facts": ["Ann lives in Oslo"]}""");
        await engine.WaitForAsync((await engine.AddAsync(Ann, "I live in Oslo.", Day1, "Ann")).EpisodeId);
        return Assert.Single(await FactsAsync());
    }

    [Fact]
    public async Task Fact_extraction_and_consolidation_prompts_carry_the_messages_and_hide_real_ids()
    {
        await using var engine = Engine();
        var oslo = await AddOsloFactAsync(engine);
        Assert.Empty(_router.RequestsFor(PipelineRouter.Consolidation)); // nothing to compare with yet: no call

        _router.Then(PipelineRouter.Extraction, """{"facts": ["Ann moved to Bergen"]}""");
        _router.Then(PipelineRouter.Consolidation, """{"decisions": [{"fact": 0, "event": "DELETE", "id": "0", "text": "Ann moved to Bergen"}]}""");
        await engine.WaitForAsync((await engine.AddAsync(Ann, "Big news: I moved to Bergen last month!", Day2, "Ann")).EpisodeId);

        // Extraction: the new message, its speaker and its date reach the server, with JSON mode.
        var extraction = _router.RequestsFor(PipelineRouter.Extraction)[^1];
        Assert.Equal("json_object", extraction.Json.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Contains("2023-06-09", extraction.Messages[0].Content);
        Assert.Contains("Big news: I moved to Bergen last month!", extraction.Messages[1].Content);
        Assert.Contains("\"speaker\": \"Ann\"", extraction.Messages[1].Content);

        // Consolidation: the new fact and the candidate's text, the candidate under "0", no real id anywhere.
        var consolidation = Assert.Single(_router.RequestsFor(PipelineRouter.Consolidation));
        Assert.Contains("Ann moved to Bergen", consolidation.Messages[1].Content);
        Assert.Contains("Ann lives in Oslo", consolidation.Messages[1].Content);
        Assert.Contains("\"id\": \"0\"", consolidation.Messages[1].Content);
        Assert.DoesNotMatch(GuidPattern(), consolidation.Body);
        Assert.DoesNotContain(oslo.Id.ToString(), consolidation.Body, StringComparison.OrdinalIgnoreCase);

        // The answer's "0" was mapped back to the real fact: it is closed, not deleted, and Bergen is live.
        var closed = (await FactsAsync(includeExpired: true)).Single(f => f.Id == oslo.Id);
        Assert.NotNull(closed.ExpiredAt);
        Assert.Equal("Ann moved to Bergen", Assert.Single(await FactsAsync()).Content);
    }

    [Fact]
    public async Task A_consolidation_answer_naming_a_small_id_that_was_not_shown_fails_with_nothing_written()
    {
        await using var engine = Engine();
        await AddOsloFactAsync(engine);
        await AssertConsolidationRefusedAsync(engine, _ => "7");
    }

    [Fact]
    public async Task A_consolidation_answer_naming_a_real_id_is_refused_too()
    {
        // Even the true id of an existing fact is not accepted: the model was shown small integers only.
        await using var engine = Engine();
        var oslo = await AddOsloFactAsync(engine);
        await AssertConsolidationRefusedAsync(engine, _ => oslo.Id.ToString());
    }

    private async Task AssertConsolidationRefusedAsync(MemoryEngine engine, Func<RecordedRequest, string> invent)
    {
        var before = await SnapshotAsync();
        _router.Then(PipelineRouter.Extraction, """{"facts": ["Ann lives in Oslo with two dogs"]}""");
        _router.Then(PipelineRouter.Consolidation, request => ScriptedResponse.Chat(
            $$"""{"decisions": [{"fact": 0, "event": "UPDATE", "id": "{{invent(request)}}", "text": "Ann lives in Oslo with two dogs"}]}"""));

        var second = await engine.AddAsync(Ann, "I live in Oslo with my two dogs.", Day2, "Ann");
        var failure = await Assert.ThrowsAsync<MemoryIngestFailedException>(() => engine.WaitForAsync(second.EpisodeId));

        Assert.Contains("UnknownMemoryReferenceException", failure.Message);
        Assert.Single(_router.RequestsFor(PipelineRouter.Consolidation));
        Assert.Equal(MemoryJobStatus.Failed, (await _store.GetJobAsync(second.JobId))!.Status);
        // No fact added, updated or closed; no history written for the existing one.
        Assert.Equal(before, await SnapshotAsync());
    }

    private async Task<string> SnapshotAsync()
    {
        var facts = await FactsAsync(includeExpired: true);
        var rows = new List<string>();
        foreach (var f in facts.OrderBy(f => f.Id))
            rows.Add($"{f.Id}|{f.Content}|{f.Version}|{f.ExpiredAt}|{(await _store.GetHistoryAsync(f.Id)).Count}");
        return string.Join("\n", rows);
    }

    [Fact]
    public async Task Enrichment_and_evolution_prompts_carry_the_note_and_its_neighbours_and_a_valid_answer_links_by_real_id()
    {
        await using var engine = Engine();
        var first = await engine.AddAsync(Ann, "I started a pottery class at the art studio.", Day1, "Ann");
        await engine.WaitForAsync(first.EpisodeId);
        var neighbour = (await _store.GetAsync(first.NoteIds[0]))!;

        _router.Then(PipelineRouter.Evolution, _ => ScriptedResponse.Chat($$"""
            {"should_evolve": true, "actions": ["strengthen", "update_neighbor"], "suggested_connections": ["{{neighbour.Id}}"],
             "tags_to_update": ["hobby"], "neighbour_updates": [{"id": "{{neighbour.Id}}", "context": "Ann begins pottery, which later calms her.", "tags": ["hobby", "art"]}]}
            """));
        var second = await engine.AddAsync(Ann, "The pottery class made me so calm.", Day2, "Ann");
        await engine.WaitForAsync(second.EpisodeId);

        var enrichment = _router.RequestsFor(PipelineRouter.Enrichment)[^1];
        Assert.Contains("\"message\": \"The pottery class made me so calm.\"", enrichment.Messages[1].Content);
        Assert.Contains("\"speaker\": \"Ann\"", enrichment.Messages[1].Content);
        Assert.Contains("\"date\": \"2023-06-09\"", enrichment.Messages[1].Content);

        var evolution = Assert.Single(_router.RequestsFor(PipelineRouter.Evolution));
        Assert.Contains("The pottery class made me so calm.", evolution.Messages[1].Content);
        Assert.Contains(neighbour.Id.ToString(), evolution.Messages[1].Content);
        Assert.Contains("I started a pottery class at the art studio.", evolution.Messages[1].Content);

        var link = Assert.Single(await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, [second.NoteIds[0]]) { Direction = EdgeDirection.Outgoing, Types = [NotePipeline.LinkEdge] }));
        Assert.Equal(neighbour.Id, link.ToId);
        var evolved = (await _store.GetAsync(neighbour.Id))!;
        Assert.Equal("Ann begins pottery, which later calms her.", evolved.Context);
        Assert.Equal(neighbour.Content, evolved.Content);
        Assert.Equal(neighbour.Keywords, evolved.Keywords);
    }

    [Fact]
    public async Task An_evolution_answer_naming_a_note_that_does_not_exist_fails_with_neighbours_and_links_untouched()
    {
        await using var engine = Engine();
        var first = await engine.AddAsync(Ann, "My garden has tomatoes and basil.", Day1, "Ann");
        await engine.WaitForAsync(first.EpisodeId);
        var neighbourBefore = (await _store.GetAsync(first.NoteIds[0]))!;

        var invented = Guid.NewGuid();
        _router.Then(PipelineRouter.Evolution, $$"""
            {"should_evolve": true, "actions": ["strengthen", "update_neighbor"], "suggested_connections": ["{{invented}}"],
             "neighbour_updates": [{"id": "{{neighbourBefore.Id}}", "context": "rewritten", "tags": ["x"]}]}
            """);
        var second = await engine.AddAsync(Ann, "The tomatoes in my garden are ripe.", Day2, "Ann");
        var failure = await Assert.ThrowsAsync<MemoryIngestFailedException>(() => engine.WaitForAsync(second.EpisodeId));

        Assert.Contains(invented.ToString(), failure.Message);
        var neighbourAfter = (await _store.GetAsync(first.NoteIds[0]))!;
        Assert.Equal(neighbourBefore.Version, neighbourAfter.Version);
        Assert.Equal(neighbourBefore.Context, neighbourAfter.Context);
        Assert.Empty(await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, [second.NoteIds[0]]) { Types = [NotePipeline.LinkEdge], IncludeClosed = true }));
    }

    [Fact]
    public async Task A_malformed_consolidation_answer_is_repaired_over_http_and_applied()
    {
        await using var engine = Engine();
        var oslo = await AddOsloFactAsync(engine);

        _router.Then(PipelineRouter.Extraction, """{"facts": ["Ann lives in Oslo near the harbour"]}""");
        _router.Then(PipelineRouter.Consolidation, "Decision: {\"decisions\": [{\"fact\": 0, \"event\": \"UPDATE\", \"id\": \"0\"");
        _router.Then(PipelineRouter.Consolidation, "```json\n{\"decisions\": [{\"fact\": 0, \"event\": \"UPDATE\", \"id\": \"0\", \"text\": \"Ann lives in Oslo near the harbour\"}]}\n```");
        await engine.WaitForAsync((await engine.AddAsync(Ann, "I live in Oslo, near the harbour.", Day2, "Ann")).EpisodeId);

        var calls = _router.RequestsFor(PipelineRouter.Consolidation);
        Assert.Equal(2, calls.Count);
        Assert.Equal("assistant", calls[1].Messages[2].Role);
        Assert.DoesNotMatch(GuidPattern(), calls[1].Body);
        var fact = Assert.Single(await FactsAsync());
        Assert.Equal(oslo.Id, fact.Id);
        Assert.Equal("Ann lives in Oslo near the harbour", fact.Content);
    }

    [Fact]
    public async Task A_429_from_the_endpoint_during_ingestion_is_retried_and_the_fact_is_stored()
    {
        await using var engine = Engine();
        _router.Then(PipelineRouter.Extraction, _ => ScriptedResponse.Error(429, "rate limited", ("Retry-After", "0")));
        _router.Then(PipelineRouter.Extraction, """{"facts": ["Ann plays the cello"]}""");

        await engine.WaitForAsync((await engine.AddAsync(Ann, "I play the cello.", Day1, "Ann")).EpisodeId);

        Assert.Equal(2, _router.RequestsFor(PipelineRouter.Extraction).Count);
        Assert.Equal("Ann plays the cello", Assert.Single(await FactsAsync()).Content);
    }

    [Fact]
    public async Task A_relation_invalidation_answer_with_an_unknown_small_id_fails_and_closes_nothing()
    {
        await using var engine = Engine();
        _router.Then(PipelineRouter.Entities, """{"entities": [{"name": "Ann", "type": "person"}, {"name": "Oslo", "type": "place"}], "relations": [{"source": "Ann", "relation": "lives_in", "target": "Oslo"}]}""");
        await engine.WaitForAsync((await engine.AddAsync(Ann, "I live in Oslo.", Day1, "Ann")).EpisodeId);
        var edgesBefore = await LivesInAsync();
        Assert.Single(edgesBefore);

        _router.Then(PipelineRouter.Entities, """{"entities": [{"name": "Ann", "type": "person"}, {"name": "Bergen", "type": "place"}], "relations": [{"source": "Ann", "relation": "lives_in", "target": "Bergen"}]}""");
        _router.Then(PipelineRouter.Invalidation, """{"contradicted": ["3"]}""");
        var second = await engine.AddAsync(Ann, "I moved to Bergen.", Day2, "Ann");
        var failure = await Assert.ThrowsAsync<MemoryIngestFailedException>(() => engine.WaitForAsync(second.EpisodeId));

        Assert.Contains("UnknownMemoryReferenceException", failure.Message);
        var invalidation = Assert.Single(_router.RequestsFor(PipelineRouter.Invalidation));
        Assert.DoesNotMatch(GuidPattern(), invalidation.Body);
        Assert.Contains("\"target\": \"Oslo\"", invalidation.Messages[1].Content);
        var edgesAfter = await LivesInAsync();
        Assert.Equal(edgesBefore.Select(e => (e.Id, e.ExpiredAt)), edgesAfter.Select(e => (e.Id, e.ExpiredAt)));
    }

    private async Task<IReadOnlyList<MemoryEdge>> LivesInAsync()
    {
        var ann = (await _store.ListAsync(new MemoryFilter(Ann) { Kinds = [MemoryKind.Entity] }, 100)).Single(e => e.Content == "Ann");
        return await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, [ann.Id]) { Direction = EdgeDirection.Outgoing, Types = ["lives_in"], IncludeClosed = true });
    }
}
