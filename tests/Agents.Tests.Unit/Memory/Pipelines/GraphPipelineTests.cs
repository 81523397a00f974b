using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Graph;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using static Agents.Tests.Unit.Memory.Pipelines.EngineHarness;

namespace Agents.Tests.Unit.Memory.Pipelines;

public sealed class GraphPipelineTests : IDisposable
{
    private static readonly MemoryScope Ann = MemoryScope.ForUser("ann");
    private readonly EmbeddedMemoryStore _store = new();
    private readonly HashingEmbedder _embedder = new();

    public void Dispose() => _store.Dispose();

    private MemoryEngine Engine(MemoryModels? models = null) => new(_store, _embedder, models ?? MemoryModels.Offline(), FastOptions());

    private async Task<MemoryRecord> EntityAsync(string name) =>
        (await ListAsync(_store, Ann, MemoryKind.Entity)).Single(e => e.Content == name);

    [Fact]
    public async Task A_contradicted_relation_is_closed_not_deleted()
    {
        await using var engine = Engine();
        await engine.WaitForAsync((await engine.AddAsync(Ann, "I live in Rome with my partner.", Day1, "Ann")).EpisodeId);
        await engine.WaitForAsync((await engine.AddAsync(Ann, "Big news: I moved to Paris!", Day2, "Ann")).EpisodeId);

        var ann = await EntityAsync("Ann");
        var rome = await EntityAsync("Rome");
        var paris = await EntityAsync("Paris");
        var all = await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, [ann.Id]) { Direction = EdgeDirection.Outgoing, Types = ["lives_in"], IncludeClosed = true });
        Assert.Equal(2, all.Count);
        var old = all.Single(e => e.ToId == rome.Id);
        Assert.Equal(Day2, old.InvalidAt);
        Assert.NotNull(old.ExpiredAt);
        Assert.Equal(Day1, old.ValidAt);
        Assert.Equal("Ann lives in Rome", old.Fact);
        var open = Assert.Single(await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, [ann.Id]) { Direction = EdgeDirection.Outgoing, Types = ["lives_in"] }));
        Assert.Equal(paris.Id, open.ToId);
        // As of a day between the two, Rome is where Ann lived.
        var then = await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, [ann.Id]) { Direction = EdgeDirection.Outgoing, Types = ["lives_in"], AsOf = Day1.AddDays(3) });
        Assert.Equal(rome.Id, Assert.Single(then).ToId);
    }

    [Fact]
    public async Task Entities_are_deduplicated_by_normalised_name_and_linked_to_the_notes_that_mention_them()
    {
        await using var engine = Engine();
        var a = await engine.AddAsync(Ann, "We visited the Louvre in Paris.", Day1, "Ann");
        var b = await engine.AddAsync(Ann, "The Louvre was crowded, Paris too.", Day2, "Ann");
        await engine.WaitForIdleAsync(Ann);

        var entities = await ListAsync(_store, Ann, MemoryKind.Entity);
        Assert.Single(entities, e => e.Metadata[GraphPipeline.NameKey] == "louvre");
        Assert.Single(entities, e => e.Content == "Paris");
        Assert.Single(entities, e => e.Content == "Ann");
        var paris = entities.Single(e => e.Content == "Paris");
        var mentions = await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, [paris.Id]) { Direction = EdgeDirection.Outgoing, Types = [GraphPipeline.MentionedInEdge] });
        Assert.Equal(new[] { a.NoteIds[0], b.NoteIds[0] }.Order(), mentions.Select(m => m.ToId).Order());
    }

    [Fact]
    public async Task Running_the_graph_stage_again_on_a_batch_adds_no_edge_twice()
    {
        await using var engine = Engine();
        var first = await engine.AddAsync(Ann, "I live in Rome with my partner.", Day1, "Ann");
        await engine.WaitForAsync(first.EpisodeId);
        var added = await engine.AddAsync(Ann, "Ann works at Acme in Rome.", Day2, "Ann");
        await engine.WaitForAsync(added.EpisodeId);
        var entityIds = (await ListAsync(_store, Ann, MemoryKind.Entity)).Select(e => e.Id).ToList();
        async Task<List<(Guid, Guid, string)>> EdgesAsync() =>
            (await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, entityIds) { IncludeClosed = true }))
                .Select(e => (e.FromId, e.ToId, e.Type)).Order().ToList();
        var before = await EdgesAsync();
        Assert.Contains(before, e => e.Item3 == GraphPipeline.MentionedInEdge && e.Item2 == added.NoteIds[0]);
        Assert.Contains(before, e => e.Item3 != GraphPipeline.MentionedInEdge);

        // As a worker would after a crash between the graph's writes and the episode's "done".
        var job = (await _store.GetJobAsync(added.JobId))!;
        var payload = IngestJobHandler.ReadPayload(job);
        var batch = new IngestBatch(payload.EpisodeId, Ann, payload.ObservedAt,
            payload.Messages.ConvertAll(m => new IngestMessage(m.NoteId, m.Speaker, m.Content, m.SourceId)), [], payload.Sources);
        var models = MemoryModels.Offline();
        await new GraphPipeline(_store, _embedder, models.EntityExtractor, models.RelationInvalidator).ProcessAsync(batch, notesExist: true, CancellationToken.None);

        Assert.Equal(before, await EdgesAsync());
    }

    [Fact]
    public async Task An_entity_close_in_embedding_is_merged_and_a_distant_one_is_not()
    {
        var chat = new ScriptedChat()
            .Answer<Agents.Memory.Pipelines.Llm.GraphDto>("""{"entities": [{"name": "Golden Gate Bridge", "type": "place"}], "relations": []}""")
            .Answer<Agents.Memory.Pipelines.Llm.GraphDto>("""{"entities": [{"name": "Golden Gate Bridges", "type": "place"}, {"name": "Alcatraz", "type": "place"}], "relations": []}""");
        var models = MemoryModels.Offline() with { EntityExtractor = new Agents.Memory.Pipelines.Llm.LlmEntityExtractor(chat) };
        var cosine = Cosine(_embedder.Embed("Golden Gate Bridge"), _embedder.Embed("Golden Gate Bridges"));
        Assert.True(cosine >= 0.7, $"test premise: the two names are close ({cosine})");
        Assert.True(Cosine(_embedder.Embed("Golden Gate Bridge"), _embedder.Embed("Alcatraz")) < 0.7);

        await using var engine = Engine(models);
        await engine.WaitForAsync((await engine.AddAsync(Ann, "We crossed the bridge.", Day1, "Ann")).EpisodeId);
        await engine.WaitForAsync((await engine.AddAsync(Ann, "Then the island.", Day2, "Ann")).EpisodeId);

        var names = (await ListAsync(_store, Ann, MemoryKind.Entity)).Select(e => e.Content).Order().ToList();
        Assert.Equal(["Alcatraz", "Golden Gate Bridge"], names);
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0;
        for (var i = 0; i < a.Length; i++) dot += a[i] * b[i];
        return dot;
    }
}
