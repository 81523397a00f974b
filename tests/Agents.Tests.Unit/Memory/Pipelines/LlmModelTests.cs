using System.Text.RegularExpressions;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Facts;
using Agents.Memory.Pipelines.Graph;
using Agents.Memory.Pipelines.Llm;
using Agents.Memory.Pipelines.Notes;

namespace Agents.Tests.Unit.Memory.Pipelines;

public partial class LlmModelTests
{
    private static readonly DateTimeOffset May8 = new(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex GuidPattern();

    private static List<FactWithCandidates> TwoFactsThreeCandidates(out FactCandidate[] c)
    {
        c = [new(Guid.NewGuid(), "Likes cheese pizza", 0.9), new(Guid.NewGuid(), "Plays cricket", 0.8), new(Guid.NewGuid(), "Lives in Oslo", 0.6)];
        return
        [
            new(new ExtractedFact("Loves cheese and chicken pizza", "u"), [c[0], c[1]]),
            new(new ExtractedFact("Moved to Bergen", "u"), [c[2], c[1]]),
        ];
    }

    [Fact]
    public async Task Consolidation_prompt_shows_small_ids_only_and_answers_map_back_to_real_ids()
    {
        var facts = TwoFactsThreeCandidates(out var c);
        var chat = new ScriptedChat().Answer<ConsolidationDto>("""
            {"decisions": [{"fact": 0, "event": "UPDATE", "id": "0", "text": "Loves cheese and chicken pizza"},
                           {"fact": 1, "event": "DELETE", "id": "2", "text": "Moved to Bergen"}]}
            """);

        var d = await new LlmFactConsolidator(chat).ConsolidateAsync(facts, CancellationToken.None);

        var (system, user, _) = Assert.Single(chat.Calls);
        Assert.DoesNotMatch(GuidPattern(), system + user);
        Assert.Contains("\"id\": \"0\"", user);
        Assert.Contains("\"id\": \"2\"", user);
        Assert.DoesNotContain("\"id\": \"3\"", user); // the shared candidate is shown once
        Assert.Contains("Moved to Bergen", user);
        Assert.Equal((FactEvent.Update, c[0].Id, "Loves cheese and chicken pizza"), (d[0].Event, d[0].TargetId!.Value, d[0].Text));
        Assert.Equal((FactEvent.Delete, c[2].Id), (d[1].Event, d[1].TargetId!.Value));
    }

    [Theory]
    [InlineData("7")]
    [InlineData("01")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public async Task Consolidation_answer_naming_an_unknown_id_is_a_typed_error(string invented)
    {
        var facts = TwoFactsThreeCandidates(out _);
        var chat = new ScriptedChat().Answer<ConsolidationDto>($$"""{"decisions": [{"fact": 0, "event": "UPDATE", "id": "{{invented}}", "text": "x"}]}""");
        var e = await Assert.ThrowsAsync<UnknownMemoryReferenceException>(() => new LlmFactConsolidator(chat).ConsolidateAsync(facts, CancellationToken.None).AsTask());
        Assert.Equal(invented, e.Reference);
        Assert.Equal(["0", "1", "2"], e.Allowed);
    }

    [Fact]
    public async Task Consolidation_rejects_unknown_events_and_double_changes_and_adds_facts_left_out()
    {
        var facts = TwoFactsThreeCandidates(out _);
        var bad = new ScriptedChat().Answer<ConsolidationDto>("""{"decisions": [{"fact": 0, "event": "MERGE", "id": "0"}]}""");
        await Assert.ThrowsAsync<InvalidModelDecisionException>(() => new LlmFactConsolidator(bad).ConsolidateAsync(facts, CancellationToken.None).AsTask());

        var twice = new ScriptedChat().Answer<ConsolidationDto>("""{"decisions": [{"fact": 0, "event": "UPDATE", "id": "1", "text": "a"}, {"fact": 1, "event": "DELETE", "id": "1"}]}""");
        await Assert.ThrowsAsync<InvalidModelDecisionException>(() => new LlmFactConsolidator(twice).ConsolidateAsync(facts, CancellationToken.None).AsTask());

        var partial = new ScriptedChat().Answer<ConsolidationDto>("""{"decisions": [{"fact": 0, "event": "NONE", "id": "0"}]}""");
        var d = await new LlmFactConsolidator(partial).ConsolidateAsync(facts, CancellationToken.None);
        Assert.Equal(FactEvent.Add, d[1].Event);
        Assert.Equal("Moved to Bergen", d[1].Text);
    }

    [Fact]
    public async Task Consolidation_without_candidates_adds_without_calling_the_model()
    {
        var chat = new ScriptedChat();
        var d = await new LlmFactConsolidator(chat).ConsolidateAsync([new(new ExtractedFact("New fact", null), [])], CancellationToken.None);
        Assert.Equal(FactEvent.Add, Assert.Single(d).Event);
        Assert.Empty(chat.Calls);
    }

    [Fact]
    public async Task Evolution_is_keyed_by_real_id_and_an_invented_id_fails_the_decision()
    {
        var note = new NoteSnapshot(Guid.NewGuid(), "new", "ctx", ["k"], ["t"], May8);
        var n1 = new NoteSnapshot(Guid.NewGuid(), "one", "old ctx 1", ["a"], ["x"], May8);
        var n2 = new NoteSnapshot(Guid.NewGuid(), "two", "old ctx 2", ["b"], ["y"], May8);
        NeighbourNote[] neighbours = [new(n1, 0.9), new(n2, 0.8, Precedes: true)];

        // Updates given in the reverse order of the neighbours: applied by id, not by rank (A-MEM #32).
        var chat = new ScriptedChat().Answer<EvolutionDto>($$"""
            {"should_evolve": true, "actions": ["strengthen", "update_neighbor"], "suggested_connections": ["{{n2.Id}}"],
             "tags_to_update": ["T", "new"], "neighbour_updates": [{"id": "{{n2.Id}}", "context": "fresh ctx 2", "tags": ["y", "z"]}]}
            """);
        var d = await new LlmLinkDecider(chat).DecideAsync(note, neighbours, CancellationToken.None);
        Assert.Equal([n2.Id], d.LinkTo);
        Assert.Equal(["t", "new"], d.NewNoteTags);
        var r = Assert.Single(d.Rewrites);
        Assert.Equal((n2.Id, "fresh ctx 2"), (r.Id, r.Context));
        Assert.Contains(n1.Id.ToString(), chat.Calls[0].User);
        // The model is told which neighbour is the turn just before the new note, and only that one.
        Assert.Equal(1, chat.Calls[0].User.Split("said_just_before").Length - 1);

        var invented = Guid.NewGuid();
        var liar = new ScriptedChat().Answer<EvolutionDto>($$"""{"should_evolve": true, "actions": ["strengthen"], "suggested_connections": ["{{invented}}"]}""");
        var e = await Assert.ThrowsAsync<UnknownMemoryReferenceException>(() => new LlmLinkDecider(liar).DecideAsync(note, neighbours, CancellationToken.None).AsTask());
        Assert.Equal(invented.ToString(), e.Reference);
    }

    [Fact]
    public async Task Enrichment_and_extraction_prompts_carry_the_message_speaker_and_date()
    {
        var chat = new ScriptedChat()
            .Answer<EnrichmentDto>("""{"keywords": ["hiking", "trail"], "context": "Ann talks about hiking.", "tags": ["Outdoors", "travel"]}""")
            .Answer<FactsDto>("""{"facts": ["Ann hiked the Rim Trail on 7 May 2023", " "]}""");
        var draft = new NoteDraft("I hiked \"the Rim\" trail yesterday", "Ann", May8, [new ConversationTurn("Bo", "Any plans?")], [], ["Ann", "Bo"]);

        var e = await new LlmNoteEnricher(chat).EnrichAsync(draft, CancellationToken.None);
        var facts = await new LlmFactExtractor(chat).ExtractAsync(new FactExtractionInput([new ConversationTurn("Ann", draft.Content)], May8), CancellationToken.None);

        Assert.Equal(["outdoors", "travel"], e.Tags);
        Assert.Contains("\"speaker\": \"Ann\"", chat.Calls[0].User);
        Assert.Contains("2023-05-08", chat.Calls[0].User);
        Assert.Contains("I hiked \\\"the Rim\\\" trail yesterday", chat.Calls[0].User); // data stays inside its JSON string
        Assert.Contains("2023-05-08", chat.Calls[1].System);
        Assert.Equal("Ann hiked the Rim Trail on 7 May 2023", Assert.Single(facts).Text);

        var empty = new ScriptedChat().Answer<EnrichmentDto>("""{"keywords": [], "context": ""}""");
        await Assert.ThrowsAsync<InvalidModelDecisionException>(() => new LlmNoteEnricher(empty).EnrichAsync(draft, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Relation_invalidation_hides_edge_ids_and_validates_the_answer()
    {
        var old = new ExistingRelation(Guid.NewGuid(), "Ann", "lives_in", "Rome");
        var chat = new ScriptedChat().Answer<InvalidationDto>("""{"contradicted": ["0"]}""").Answer<InvalidationDto>("""{"contradicted": ["5"]}""");
        var sut = new LlmRelationInvalidator(chat);
        Assert.Equal([old.Id], await sut.FindContradictedAsync([new ExtractedRelation("Ann", "lives_in", "Paris")], [old], CancellationToken.None));
        Assert.DoesNotMatch(GuidPattern(), chat.Calls[0].User);
        await Assert.ThrowsAsync<UnknownMemoryReferenceException>(() => sut.FindContradictedAsync([new ExtractedRelation("Ann", "lives_in", "Oslo")], [old], CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Entity_extraction_adds_entities_named_only_in_relations_and_refuses_incomplete_relations()
    {
        var chat = new ScriptedChat()
            .Answer<GraphDto>("""{"entities": [{"name": "Ann", "type": "Person"}], "relations": [{"source": "Ann", "relation": "works at", "target": "Airbus"}]}""")
            .Answer<GraphDto>("""{"entities": [], "relations": [{"source": "Ann", "relation": "", "target": "Airbus"}]}""");
        var input = new FactExtractionInput([new ConversationTurn("Ann", "I work at Airbus")], May8);
        var g = await new LlmEntityExtractor(chat).ExtractAsync(input, CancellationToken.None);
        Assert.Equal(["Ann", "Airbus"], g.Entities.Select(e => e.Name));
        Assert.Equal("person", g.Entities[0].Type);
        Assert.Equal(new ExtractedRelation("Ann", "works_at", "Airbus"), Assert.Single(g.Relations));
        await Assert.ThrowsAsync<InvalidModelDecisionException>(() => new LlmEntityExtractor(chat).ExtractAsync(input, CancellationToken.None).AsTask());
    }
}
