using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Facts;
using Agents.Memory.Pipelines.Graph;
using Agents.Memory.Pipelines.Notes;

namespace Agents.Tests.Unit.Memory.Pipelines;

public class OfflineModelTests
{
    private static readonly DateTimeOffset May8 = new(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);

    [Fact]
    public async Task Enrichment_builds_keywords_tags_and_a_context_from_the_conversation_structure()
    {
        var draft = new NoteDraft(
            "Yes! I painted a sunset over the lake with my kids last weekend.", "Melanie", May8,
            [new ConversationTurn("Caroline", "Have you done any painting lately?")],
            [new ConversationTurn("Caroline", "That sounds lovely, I would love to see the painting.")],
            ["Caroline", "Melanie"]);

        var e = await new OfflineNoteEnricher().EnrichAsync(draft, CancellationToken.None);

        Assert.True(e.Keywords.Count >= 3);
        Assert.DoesNotContain(e.Keywords, k => k.Contains("Melanie", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(e.Keywords, k => k.StartsWith("paint", StringComparison.OrdinalIgnoreCase));
        // Who and when, then the turns around it quoted in conversation order.
        Assert.Equal("Melanie, 8 May 2023. Caroline: Have you done any painting lately? Caroline: That sounds lovely, I would love to see the painting.", e.Context);
        Assert.True(e.Tags.Count >= 3);
        Assert.Contains("art", e.Tags);
        Assert.Contains("family", e.Tags);
    }

    [Fact]
    public async Task A_short_reply_takes_keywords_from_the_question_it_answers()
    {
        var draft = new NoteDraft("Yes, it was great!", "Jon", May8, [new ConversationTurn("Gina", "Did you enjoy the dance competition in Chicago?")], [], ["Jon", "Gina"]);
        var e = await new OfflineNoteEnricher().EnrichAsync(draft, CancellationToken.None);
        Assert.Contains(e.Keywords, k => k is "dance" or "competition" or "Chicago");
    }

    [Fact]
    public async Task Link_decider_links_similar_or_keyword_sharing_neighbours_and_keys_rewrites_by_id()
    {
        var note = new NoteSnapshot(Guid.NewGuid(), "Painted a lake", "ctx", ["painting", "lake"], ["art", "nature"], May8);
        var close = new NoteSnapshot(Guid.NewGuid(), "Painting class", "ctx", ["painting", "lake", "class"], ["art", "education"], May8);
        var far = new NoteSnapshot(Guid.NewGuid(), "Tax forms", "ctx", ["tax"], ["finance"], May8);
        var alsoArt = new NoteSnapshot(Guid.NewGuid(), "Gallery", "ctx", ["gallery"], ["art", "nature"], May8);

        var d = await new OfflineLinkDecider().DecideAsync(note, [new(close, 0.3), new(far, 0.1), new(alsoArt, 0.7)], CancellationToken.None);

        Assert.Equal([close.Id, alsoArt.Id], d.LinkTo);
        var rewrite = Assert.Single(d.Rewrites);
        Assert.Equal(close.Id, rewrite.Id);
        Assert.Contains("nature", rewrite.Tags); // carried by the new note and another linked neighbour
        Assert.Equal("ctx", rewrite.Context);
    }

    [Fact]
    public async Task Link_decider_quotes_the_new_turn_in_the_turns_it_follows_and_only_once()
    {
        var note = new NoteSnapshot(Guid.NewGuid(), "Yes, last weekend at the lake!", "Bo, 8 May 2023.", ["lake"], ["nature"], May8) { Speaker = "Bo" };
        var question = new NoteSnapshot(Guid.NewGuid(), "Did you go camping?", "Ann, 8 May 2023.", ["camping"], ["travel"], May8) { Speaker = "Ann" };
        var unrelated = new NoteSnapshot(Guid.NewGuid(), "Tax forms are due.", "Ann, 1 May 2023.", ["tax"], ["finance"], May8) { Speaker = "Ann" };
        var decider = new OfflineLinkDecider();

        var d = await decider.DecideAsync(note, [new(question, 0.2, Precedes: true), new(unrelated, 0.1)], CancellationToken.None);

        var rewrite = Assert.Single(d.Rewrites);
        Assert.Equal(question.Id, rewrite.Id);
        Assert.Equal("Ann, 8 May 2023. Bo: Yes, last weekend at the lake!", rewrite.Context);
        Assert.Equal(question.Tags, rewrite.Tags);
        Assert.Empty(d.LinkTo); // following is not similarity: the next_turn edge records it

        // A rerun (after a crash) finds the quote already there and changes nothing.
        var again = await decider.DecideAsync(note, [new(question with { Context = rewrite.Context }, 0.2, Precedes: true)], CancellationToken.None);
        Assert.Same(LinkDecision.None, again);
    }

    [Fact]
    public void A_long_turn_is_quoted_up_to_a_word_boundary()
    {
        var quote = ConversationContext.Quote("Ann", string.Join(' ', Enumerable.Repeat("pottery", 200)));
        Assert.StartsWith("Ann: pottery pottery", quote);
        Assert.True(quote.Length <= "Ann: ".Length + ConversationContext.MaxQuoteLength, quote.Length.ToString());
        Assert.EndsWith("pottery", quote);
    }

    [Fact]
    public async Task Facts_are_third_person_sentences_without_questions_or_small_talk()
    {
        var facts = await new OfflineFactExtractor().ExtractAsync(new FactExtractionInput(
            [new ConversationTurn("Ann", "Hi! I adopted a cat named Mochi yesterday. Do you like cats? Thanks.")], May8), CancellationToken.None);

        var fact = Assert.Single(facts);
        Assert.Equal("Ann adopted a cat named Mochi yesterday (7 May 2023).", fact.Text);
        Assert.Equal(0, fact.MessageIndex);
        Assert.Equal("Ann", fact.Subject);
    }

    [Fact]
    public async Task Remarks_to_the_listener_are_not_facts_but_sentences_about_the_speaker_are()
    {
        var facts = await new OfflineFactExtractor().ExtractAsync(new FactExtractionInput(
            [new ConversationTurn("Ann", "You're doing an awesome job with your garden! I told you my roses bloomed.")], May8), CancellationToken.None);
        Assert.Equal("Ann told you Ann's roses bloomed.", Assert.Single(facts).Text);
    }

    [Fact]
    public async Task Consolidation_decides_none_update_delete_and_add_by_similarity()
    {
        var known = new FactCandidate(Guid.NewGuid(), "Ann likes jazz", 0.8);
        var shorter = new FactCandidate(Guid.NewGuid(), "Ann plays tennis", 0.7);
        var lives = new FactCandidate(Guid.NewGuid(), "Ann lives in Rome", 0.8);
        var facts = new List<FactWithCandidates>
        {
            new(new ExtractedFact("Ann likes jazz.", "Ann"), [known]),
            new(new ExtractedFact("Ann plays tennis with her brother on Sundays", "Ann"), [shorter]),
            new(new ExtractedFact("Ann no longer lives in Rome", "Ann"), [lives]),
            new(new ExtractedFact("Ann bought a red bicycle", "Ann"), [known]),
        };

        var d = await new OfflineFactConsolidator().ConsolidateAsync(facts, CancellationToken.None);

        Assert.Equal((FactEvent.None, known.Id), (d[0].Event, d[0].TargetId!.Value));
        Assert.Equal((FactEvent.Update, shorter.Id), (d[1].Event, d[1].TargetId!.Value));
        Assert.Equal((FactEvent.Delete, lives.Id), (d[2].Event, d[2].TargetId!.Value));
        Assert.Equal(FactEvent.Add, d[3].Event);
        Assert.Null(d[3].TargetId);
    }

    [Fact]
    public async Task Entities_come_from_speakers_and_names_and_relations_from_phrases()
    {
        var g = await new OfflineEntityExtractor().ExtractAsync(new FactExtractionInput(
            [new ConversationTurn("Ann", "I moved to Paris last year. My friend Bob works at Airbus.")], May8), CancellationToken.None);

        Assert.Contains(g.Entities, e => e is { Name: "Ann", Type: "person" });
        Assert.Contains(g.Entities, e => e is { Name: "Paris", Type: "place" });
        Assert.Contains(new ExtractedRelation("Ann", "lives_in", "Paris"), g.Relations);
        Assert.Contains(new ExtractedRelation("Bob", "works_at", "Airbus"), g.Relations);
        Assert.Contains(new ExtractedRelation("Ann", "mentions", "Bob"), g.Relations);
    }

    [Fact]
    public async Task A_single_valued_relation_to_a_new_target_contradicts_the_old_one_only()
    {
        var rome = new ExistingRelation(Guid.NewGuid(), "Ann", "lives_in", "Rome");
        var jazz = new ExistingRelation(Guid.NewGuid(), "Ann", "likes", "Jazz");
        var closed = await new OfflineRelationInvalidator().FindContradictedAsync(
            [new ExtractedRelation("Ann", "lives_in", "Paris"), new ExtractedRelation("Ann", "likes", "Rock")], [rome, jazz], CancellationToken.None);
        Assert.Equal([rome.Id], closed);
    }
}
