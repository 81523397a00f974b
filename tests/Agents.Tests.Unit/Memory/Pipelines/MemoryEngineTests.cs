using Agents.Memory.Diagnostics;
using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Facts;
using Agents.Memory.Pipelines.Notes;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using static Agents.Tests.Unit.Memory.Pipelines.EngineHarness;

namespace Agents.Tests.Unit.Memory.Pipelines;

public sealed class MemoryEngineTests : IDisposable
{
    private static readonly MemoryScope Ann = MemoryScope.ForUser("ann");
    private readonly EmbeddedMemoryStore _store = new();
    private readonly HashingEmbedder _embedder = new();

    private MemoryEngine Engine(MemoryModels? models = null, int maxAttempts = 3) =>
        new(_store, _embedder, models ?? MemoryModels.Offline(), FastOptions(maxAttempts));

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Bulk_adds_with_idempotency_keys_store_each_key_once_and_return_the_first_result()
    {
        await using var engine = Engine();
        AddMemoryRequest Keyed(string key, string text, int minute) =>
            new(Ann, [new ConversationTurn("Ann", text)], Day1.AddMinutes(minute)) { IdempotencyKey = key };

        var first = await engine.AddManyAsync([Keyed("a", "I adopted a cat named Mochi.", 0), Keyed("b", "Mochi sleeps all day.", 1), Keyed("a", "I adopted a cat named Mochi.", 0)]);
        Assert.Equal([false, false, true], first.Select(r => r.Repeated));
        Assert.Equal(first[0].EpisodeId, first[2].EpisodeId);
        Assert.Equal(first[0].JobId, first[2].JobId);
        var again = await engine.AddManyAsync([Keyed("b", "Mochi sleeps all day.", 1), Keyed("c", "Mochi likes tuna.", 2)]);
        Assert.Equal([true, false], again.Select(r => r.Repeated));
        Assert.Equal(first[1].JobId, again[0].JobId);
        Assert.True((await engine.AddAsync(Keyed("c", "Mochi likes tuna.", 2))).Repeated);

        await engine.WaitForIdleAsync(Ann);
        Assert.Equal(3, (await _store.ListAsync(new MemoryFilter(Ann) { Kinds = [MemoryKind.Episode] })).Count);
        Assert.Equal(3, (await _store.ListAsync(new MemoryFilter(Ann) { Kinds = [MemoryKind.Note] })).Count);
    }

    [Fact]
    public async Task Add_returns_once_the_raw_input_is_stored_and_WaitFor_completes_the_work()
    {
        await using var engine = Engine();
        var added = await engine.AddAsync(Say(Ann, Day1,
            ("Ann", "I adopted a cat named Mochi last week."),
            ("Bo", "That is lovely! What breed is Mochi?")));

        // Stored and pending, nothing derived yet.
        var episode = await _store.GetAsync(added.EpisodeId);
        Assert.NotNull(episode);
        Assert.Equal(MemoryKind.Episode, episode.Kind);
        Assert.Equal(Day1, episode.ObservedAt);
        Assert.Equal(IngestJobHandler.Pending, episode.Metadata[IngestJobHandler.StateKey]);
        Assert.Null(await _store.GetAsync(added.NoteIds[0]));
        Assert.Equal(1, await _store.CountJobsAsync(Ann, MemoryJobStatus.Pending));
        Assert.Equal(MemoryJobStatus.Pending, (await _store.GetJobAsync(added.JobId))!.Status);

        await engine.WaitForAsync(added.EpisodeId);

        Assert.Equal(MemoryJobStatus.Completed, (await _store.GetJobAsync(added.JobId))!.Status);
        var note = await _store.GetAsync(added.NoteIds[0]);
        Assert.NotNull(note);
        Assert.Equal(MemoryKind.Note, note.Kind);
        Assert.Equal("I adopted a cat named Mochi last week.", note.Content);
        Assert.NotNull(note.Embedding);
        Assert.True(note.Keywords.Count >= 3);
        Assert.StartsWith("Ann, 8 May 2023.", note.Context);
        Assert.Contains("pets", note.Tags);
        Assert.Equal(NoteText.Linked, note.Metadata[NoteText.StageKey]);
        Assert.Contains(added.EpisodeId.ToString(), note.Sources);
        var fact = Assert.Single(await ListAsync(_store, Ann, MemoryKind.Fact));
        Assert.StartsWith("Ann adopted a cat named Mochi last week (the week before 8 May 2023)", fact.Content);
        Assert.Equal(Day1, fact.ValidAt);
        Assert.Contains(added.NoteIds[0].ToString(), fact.Sources);
        // The two turns are chained for retrieval's graph expansion.
        var next = await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, [added.NoteIds[0]]) { Types = [NotePipeline.NextTurnEdge] });
        Assert.Equal(added.NoteIds[1], Assert.Single(next).ToId);
    }

    [Fact]
    public void Bad_engine_settings_are_refused_by_name_before_anything_runs()
    {
        MemoryEngineOptions With(Action<MemoryEngineOptions> change) { var o = new MemoryEngineOptions(); change(o); return o; }
        foreach (var (options, name) in new (MemoryEngineOptions, string)[]
        {
            (With(o => o.Pipelines.ConversationGap = TimeSpan.FromMinutes(-1)), "ConversationGap"),
            (With(o => o.Pipelines.ContextTurns = -1), "ContextTurns"),
            (With(o => o.Pipelines.EntityMergeSimilarity = double.NaN), "EntityMergeSimilarity"),
            (With(o => o.MaxAttempts = 0), "MaxAttempts"),
            (With(o => o.Lease = TimeSpan.Zero), "Lease"),
        })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryEngine(_store, new HashingEmbedder(), MemoryModels.Offline(), options));
            Assert.Equal(name, error.ParamName);
        }
    }

    [Fact]
    public async Task Each_note_gets_the_turns_around_it_within_its_conversation_and_no_further()
    {
        await using var engine = Engine();
        await engine.StartAsync();
        var lines = new[] { "Did you go camping last weekend?", "Yes, we camped by the lake.", "Did the kids like it?", "They loved the campfire.", "Sounds wonderful." };
        var ids = new List<Guid>();
        for (var i = 0; i < lines.Length; i++)
            ids.Add((await engine.AddAsync(Ann, lines[i], Day1.AddMinutes(i), i % 2 == 0 ? "Ann" : "Bo")).NoteIds[0]);
        // Another conversation, two days later: not a neighbour of the first one's turns.
        var later = (await engine.AddAsync(Ann, "Back from the lake again.", Day1.AddDays(2), "Bo")).NoteIds[0];
        await engine.WaitForIdleAsync(Ann);
        await engine.StopAsync();

        var first = (await _store.GetAsync(ids[0]))!.Context!;
        Assert.Equal("Ann, 8 May 2023. Bo: Yes, we camped by the lake. Ann: Did the kids like it?", first); // two turns after, by evolution
        var middle = (await _store.GetAsync(ids[2]))!.Context!;
        Assert.Equal("Ann, 8 May 2023. Ann: Did you go camping last weekend? Bo: Yes, we camped by the lake. Bo: They loved the campfire. Ann: Sounds wonderful.", middle);
        var last = (await _store.GetAsync(ids[4]))!.Context!;
        Assert.DoesNotContain("Back from the lake", last);
        Assert.Equal("Bo, 10 May 2023.", (await _store.GetAsync(later))!.Context);
        // Evolution rewrote context only: contents are as said.
        for (var i = 0; i < lines.Length; i++) Assert.Equal(lines[i], (await _store.GetAsync(ids[i]))!.Content);
    }

    [Fact]
    public async Task Background_processor_links_related_notes_and_evolves_neighbours_without_touching_content()
    {
        await using var engine = Engine();
        await engine.StartAsync();
        var first = await engine.AddAsync(Ann, "I started a pottery class at the community art studio.", Day1, "Ann");
        var second = await engine.AddAsync(Ann, "The pottery class at the art studio made me so calm.", Day1.AddHours(1), "Ann");
        await engine.WaitForIdleAsync(Ann);
        await engine.StopAsync();

        var links = await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, [second.NoteIds[0]]) { Direction = EdgeDirection.Outgoing, Types = [NotePipeline.LinkEdge] });
        Assert.Equal(first.NoteIds[0], Assert.Single(links).ToId);
        var old = (await _store.GetAsync(first.NoteIds[0]))!;
        Assert.Equal("I started a pottery class at the community art studio.", old.Content);
        // Added one turn at a time, the second still sees the first as the turn before it.
        var chain = await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, [first.NoteIds[0]]) { Direction = EdgeDirection.Outgoing, Types = [NotePipeline.NextTurnEdge] });
        Assert.Equal(second.NoteIds[0], Assert.Single(chain).ToId);
        // Each turn's context quotes the other: the second from the start, the first by evolution.
        Assert.Contains("Ann: I started a pottery class at the community art studio.", (await _store.GetAsync(second.NoteIds[0]))!.Context);
        Assert.Contains("Ann: The pottery class at the art studio made me so calm.", old.Context);
        var history = await _store.GetHistoryAsync(old.Id);
        Assert.All(history, h => Assert.Equal(old.Content, h.NewContent ?? old.Content));
    }

    [Fact]
    public async Task Adding_the_same_memory_twice_keeps_exactly_one_live_fact()
    {
        await using var engine = Engine();
        var a = await engine.AddAsync(Ann, "I work as a nurse at the city hospital.", Day1, "Ann");
        var b = await engine.AddAsync(Ann, "I work as a nurse at the city hospital.", Day2, "Ann");
        await engine.WaitForAsync(a.EpisodeId);
        await engine.WaitForAsync(b.EpisodeId);

        var fact = Assert.Single(await ListAsync(_store, Ann, MemoryKind.Fact, includeExpired: true));
        Assert.Null(fact.ExpiredAt);
        Assert.Equal([MemoryEvent.Add, MemoryEvent.None], (await _store.GetHistoryAsync(fact.Id)).Select(h => h.Event));
    }

    [Fact]
    public async Task Same_memory_twice_survives_a_model_that_deletes_the_twin()
    {
        // The model answers DELETE of the existing copy (mem0 #1674's failure mode) for the second add.
        var chat = new ScriptedChat().Answer<Agents.Memory.Pipelines.Llm.ConsolidationDto>("""{"decisions": [{"fact": 0, "event": "DELETE", "id": "0", "text": "Ann works as a nurse."}]}""");
        var models = MemoryModels.Offline() with { FactConsolidator = new Agents.Memory.Pipelines.Llm.LlmFactConsolidator(chat) };
        await using var engine = Engine(models);
        await engine.WaitForAsync((await engine.AddAsync(Ann, "I work as a nurse.", Day1, "Ann")).EpisodeId);
        await engine.WaitForAsync((await engine.AddAsync(Ann, "I work as a nurse.", Day2, "Ann")).EpisodeId);

        var live = await ListAsync(_store, Ann, MemoryKind.Fact);
        Assert.Equal("Ann work as a nurse.", Assert.Single(live).Content);
        Assert.Single(chat.Calls);
    }

    [Fact]
    public async Task A_contradicted_fact_is_closed_with_history_and_the_new_fact_is_kept()
    {
        await using var engine = Engine();
        await engine.WaitForAsync((await engine.AddAsync(Ann, "I eat meat every day.", Day1, "Ann")).EpisodeId);
        await engine.WaitForAsync((await engine.AddAsync(Ann, "I don't eat meat every day.", Day2, "Ann")).EpisodeId);

        var all = await ListAsync(_store, Ann, MemoryKind.Fact, includeExpired: true);
        Assert.Equal(2, all.Count);
        var old = all.Single(f => f.Content == "Ann eat meat every day.");
        Assert.Equal(Day2, old.InvalidAt);
        Assert.NotNull(old.ExpiredAt);
        Assert.Equal([MemoryEvent.Add, MemoryEvent.Invalidate], (await _store.GetHistoryAsync(old.Id)).Select(h => h.Event));
        Assert.Equal("Ann don't eat meat every day.", Assert.Single(await ListAsync(_store, Ann, MemoryKind.Fact)).Content);
        // As of the first day, the old fact is what was true.
        var asOf = await _store.ListAsync(new MemoryFilter(Ann) { Kinds = [MemoryKind.Fact], AsOf = Day1.AddDays(1) });
        Assert.Equal(old.Id, Assert.Single(asOf).Id);
    }

    [Fact]
    public async Task A_more_informative_fact_updates_the_old_one_in_place()
    {
        await using var engine = Engine();
        await engine.WaitForAsync((await engine.AddAsync(Ann, "I play tennis.", Day1, "Ann")).EpisodeId);
        await engine.WaitForAsync((await engine.AddAsync(Ann, "I play tennis with my brother on Sundays.", Day2, "Ann")).EpisodeId);

        var fact = Assert.Single(await ListAsync(_store, Ann, MemoryKind.Fact, includeExpired: true));
        Assert.Equal("Ann play tennis with Ann's brother on Sundays.", fact.Content);
        var history = await _store.GetHistoryAsync(fact.Id);
        Assert.Equal([MemoryEvent.Add, MemoryEvent.Update], history.Select(h => h.Event));
        Assert.Equal("Ann play tennis.", history[1].OldContent);
    }

    [Fact]
    public async Task A_model_naming_an_unknown_id_fails_the_work_and_writes_no_fact()
    {
        var chat = new ScriptedChat();
        chat.Always[typeof(Agents.Memory.Pipelines.Llm.ConsolidationDto)] = _ => """{"decisions": [{"fact": 0, "event": "UPDATE", "id": "9", "text": "made up"}]}""";
        var models = MemoryModels.Offline() with { FactConsolidator = new Agents.Memory.Pipelines.Llm.LlmFactConsolidator(chat) };
        await using var engine = Engine(models, maxAttempts: 2);
        await engine.WaitForAsync((await engine.AddAsync(Ann, "I live near the old harbour.", Day1, "Ann")).EpisodeId);
        var before = await ListAsync(_store, Ann, MemoryKind.Fact);

        var second = await engine.AddAsync(Ann, "I live near the old harbour with two dogs.", Day2, "Ann");
        var failure = await Assert.ThrowsAsync<MemoryIngestFailedException>(() => engine.WaitForAsync(second.EpisodeId));

        Assert.Contains("UnknownMemoryReferenceException", failure.Message);
        Assert.Equal(2, chat.Calls.Count); // retried once, then given up
        var after = await ListAsync(_store, Ann, MemoryKind.Fact, includeExpired: true);
        Assert.Equal(before.Select(f => (f.Id, f.Content, f.Version)), after.Select(f => (f.Id, f.Content, f.Version)));
        Assert.Equal(MemoryJobStatus.Failed, (await _store.GetJobAsync(second.JobId))!.Status);
    }

    [Fact]
    public async Task An_invented_link_id_leaves_neighbours_and_edges_untouched()
    {
        var chat = new ScriptedChat();
        chat.Always[typeof(Agents.Memory.Pipelines.Llm.EvolutionDto)] = _ => $$"""{"should_evolve": true, "actions": ["strengthen", "update_neighbor"], "suggested_connections": ["{{Guid.NewGuid()}}"], "neighbour_updates": []}""";
        var models = MemoryModels.Offline() with { LinkDecider = new Agents.Memory.Pipelines.Llm.LlmLinkDecider(chat) };
        await using var engine = Engine(models, maxAttempts: 1);
        var first = await engine.AddAsync(Ann, "My garden has tomatoes and basil.", Day1, "Ann");
        await engine.WaitForAsync(first.EpisodeId); // alone in the scope: no neighbours, no call
        var neighbourBefore = (await _store.GetAsync(first.NoteIds[0]))!;

        var second = await engine.AddAsync(Ann, "The tomatoes in my garden are ripe.", Day2, "Ann");
        await Assert.ThrowsAsync<MemoryIngestFailedException>(() => engine.WaitForAsync(second.EpisodeId));

        Assert.Single(chat.Calls);
        Assert.Equal(neighbourBefore.Version, (await _store.GetAsync(first.NoteIds[0]))!.Version);
        var links = await _store.GetEdgesAsync(new EdgeQuery(Ann.Tenant, [second.NoteIds[0]]) { Types = [NotePipeline.LinkEdge], IncludeClosed = true });
        Assert.Empty(links);
        Assert.Equal(NoteText.Enriched, (await _store.GetAsync(second.NoteIds[0]))!.Metadata[NoteText.StageKey]);
    }

    [Fact]
    public async Task Mem0_style_api_gets_updates_deletes_and_erases_a_scope()
    {
        await using var engine = Engine();
        var added = await engine.AddAsync(Ann, "I love hiking in the Alps.", Day1, "Ann");
        await engine.WaitForAsync(added.EpisodeId);
        var bo = MemoryScope.ForUser("bo");
        await engine.WaitForAsync((await engine.AddAsync(bo, "I collect vinyl records.", Day1, "Bo")).EpisodeId);

        var all = await engine.GetAllAsync(Ann);
        Assert.Contains(all, r => r.Kind == MemoryKind.Note);
        Assert.Contains(all, r => r.Kind == MemoryKind.Fact);
        Assert.DoesNotContain(all, r => r.Kind == MemoryKind.Episode);

        var note = (await engine.GetAsync(added.NoteIds[0]))!;
        var updated = await engine.UpdateAsync(note.Id, "I love hiking in the Dolomites.");
        Assert.Equal(note.Version + 1, updated.Version);
        var last = (await engine.HistoryAsync(note.Id))[^1];
        Assert.Equal((MemoryEvent.Update, "I love hiking in the Alps.", "I love hiking in the Dolomites.", "user"), (last.Event, last.OldContent, last.NewContent, last.Actor));

        var hits = await engine.SearchAsync("hiking Dolomites", new MemoryFilter(Ann), 3);
        Assert.Equal(note.Id, hits[0].Record.Id);

        Assert.True(await engine.DeleteAsync(note.Id));
        Assert.Null(await engine.GetAsync(note.Id));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => engine.UpdateAsync(note.Id, "x"));

        var erased = await engine.DeleteAllAsync(Ann);
        Assert.True(erased.Records > 0);
        Assert.Equal(0, await _store.CountAsync(new MemoryFilter(Ann) { IncludeExpired = true }));
        Assert.NotEmpty(await engine.GetAllAsync(bo)); // another user's memories are untouched
    }

    [Fact]
    public async Task Every_memory_keeps_the_ids_of_the_turns_it_came_from()
    {
        await using var engine = Engine();
        var added = await engine.AddAsync(new AddMemoryRequest(Ann,
        [
            new ConversationTurn("Ann", "I finished my first marathon in Berlin.") { SourceId = "D1:1" },
            new ConversationTurn("Bo", "I ran my first race in Oslo.") { SourceId = "D1:2" },
        ], Day1) { Sources = ["session-1"] });
        await engine.WaitForAsync(added.EpisodeId);

        var note = (await engine.GetAsync(added.NoteIds[1]))!;
        Assert.Equal(["D1:2", added.EpisodeId.ToString()], note.Sources);
        var facts = await ListAsync(_store, Ann, MemoryKind.Fact);
        var berlin = facts.Single(f => f.Content.Contains("Berlin"));
        Assert.Equal(["D1:1", added.NoteIds[0].ToString(), added.EpisodeId.ToString()], berlin.Sources);
        var episode = (await engine.GetAsync(added.EpisodeId))!;
        Assert.Equal(["session-1"], episode.Sources);
    }

    [Fact]
    public async Task WaitFor_accepts_a_derived_memory_id_and_refuses_an_unknown_one()
    {
        await using var engine = Engine();
        var added = await engine.AddAsync(Ann, "I sing in a choir on Thursdays.", Day1, "Ann");
        await engine.WaitForAsync(added.EpisodeId);
        await engine.WaitForAsync(added.NoteIds[0]); // a note: its input is done, returns
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => engine.WaitForAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task A_retry_after_a_failed_graph_step_does_not_ask_for_the_facts_again()
    {
        var chat = new ScriptedChat()
            .Answer<Agents.Memory.Pipelines.Llm.FactsDto>("""{"facts": ["Ann works at Airbus"]}""")
            .Answer<Agents.Memory.Pipelines.Llm.GraphDto>("""{"relations": [{"source": "Ann", "relation": "", "target": "Airbus"}]}""")
            .Answer<Agents.Memory.Pipelines.Llm.GraphDto>("""{"entities": [{"name": "Ann", "type": "person"}], "relations": [{"source": "Ann", "relation": "works_at", "target": "Airbus"}]}""");
        var models = MemoryModels.Offline() with
        {
            FactExtractor = new Agents.Memory.Pipelines.Llm.LlmFactExtractor(chat),
            EntityExtractor = new Agents.Memory.Pipelines.Llm.LlmEntityExtractor(chat),
        };
        await using var engine = Engine(models);
        var added = await engine.AddAsync(Ann, "I work at Airbus.", Day1, "Ann");
        await engine.WaitForAsync(added.EpisodeId);

        Assert.Single(chat.Calls, c => c.Type == typeof(Agents.Memory.Pipelines.Llm.FactsDto));
        Assert.Equal(2, chat.Calls.Count(c => c.Type == typeof(Agents.Memory.Pipelines.Llm.GraphDto)));
        Assert.Equal("Ann works at Airbus", Assert.Single(await ListAsync(_store, Ann, MemoryKind.Fact)).Content);
        Assert.Equal(2, (await _store.GetJobAsync(added.JobId))!.Attempts);
        Assert.Contains(await ListAsync(_store, Ann, MemoryKind.Entity), e => e.Content == "Airbus");
    }

    [Fact]
    public async Task Bad_input_is_refused_and_nothing_is_stored()
    {
        await using var engine = Engine();
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => engine.AddAsync(new AddMemoryRequest(Ann, [], Day1)));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => engine.AddAsync(Ann, "   ", Day1));
        await Assert.ThrowsAsync<InvalidMemoryContentException>(() => engine.AddAsync(Ann, new string('x', 20_000), Day1));
        await Assert.ThrowsAsync<InvalidMemoryScopeException>(() => engine.AddAsync(new MemoryScope("t", userId: ""), "x", Day1));
        Assert.Equal(0, await _store.CountAsync(new MemoryFilter(Ann) { IncludeExpired = true }));
        Assert.Equal(0, await _store.CountJobsAsync(null, MemoryJobStatus.Pending));
    }

    [Fact]
    public async Task A_job_reports_its_read_decide_and_write_stages()
    {
        var seen = new System.Collections.Concurrent.ConcurrentBag<(string Stage, double Seconds)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MemoryTelemetry.Name && instrument.Name == MemoryTelemetry.JobStageDurationName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "agents.memory.job.stage") seen.Add(((string)tag.Value!, seconds));
        });
        listener.Start();

        await using var engine = Engine();
        await engine.AddAsync(Say(Ann, Day1, ("Ann", "I adopted a cat named Mochi last week.")));
        await engine.WaitForIdleAsync(Ann);

        // Other tests' jobs may report too (the meter is the process's): each stage appears, none negative.
        Assert.Equal(["decide", "read", "write"], seen.Select(s => s.Stage).Distinct().Order());
        Assert.All(seen, s => Assert.True(s.Seconds >= 0));
    }
}
