using Agents.Memory.Pipelines.Text;

namespace Agents.Tests.Unit.Memory.Pipelines;

public class TextAnalysisTests
{
    [Fact]
    public void Keywords_skip_stop_words_and_speaker_names_and_rank_salient_words_first()
    {
        var keywords = KeywordExtractor.Extract("Caroline: I went to the LGBTQ support group yesterday and it was so powerful, the support group really helped.", 5, ["Caroline"])
            .Select(k => k.Text.ToLowerInvariant()).ToList();

        Assert.DoesNotContain("caroline", keywords);
        Assert.DoesNotContain("the", keywords);
        Assert.DoesNotContain("yesterday", keywords);
        Assert.Equal("support", keywords[0]); // said twice
        Assert.Contains("lgbtq", keywords);
    }

    [Fact]
    public void Sentences_split_at_ends_but_not_at_abbreviations_or_decimals()
    {
        var sentences = SentenceSplitter.Split("I saw Dr. Lee today. It cost 3.5 dollars! Did you go?\nYes");
        Assert.Equal(["I saw Dr. Lee today.", "It cost 3.5 dollars!", "Did you go?", "Yes"], sentences);
    }

    [Fact]
    public void Names_are_capitalised_spans_and_known_speakers_even_at_a_sentence_start()
    {
        var names = NameExtractor.Extract("Melanie said we should visit New York City. The trip with Jon was fun. Melanie agreed.", ["Melanie"]);
        Assert.Equal(["Melanie", "New York City", "Jon"], names);
        Assert.Equal("new york city", NameExtractor.Normalize("  New  York City "));
    }

    [Fact]
    public void First_person_becomes_the_speaker_and_relative_dates_are_pinned()
    {
        Assert.Equal("Ann is moving to Paris and Ann's sister helps Ann.", PerspectiveRewriter.ToThirdPerson("I'm moving to Paris and my sister helps me.", "Ann"));
        Assert.Equal("Ann was tired", PerspectiveRewriter.ToThirdPerson("I was tired", "Ann"));
        Assert.Equal("We went hiking yesterday (7 May 2023).", PerspectiveRewriter.PinRelativeDates("We went hiking yesterday.", new DateTimeOffset(2023, 5, 8, 13, 0, 0, TimeSpan.Zero)));
        Assert.Equal("No date here", PerspectiveRewriter.PinRelativeDates("No date here", DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Stemming_joins_inflections_and_topics_are_found_from_them()
    {
        Assert.Equal(Stemmer.Stem("paintings"), Stemmer.Stem("painting"));
        Assert.Equal(Stemmer.Stem("painted"), Stemmer.Stem("paints"));
        Assert.Equal("art", TopicLexicon.TopicsOf(["paintings", "gallery", "weather"])[0]);
    }

    [Fact]
    public void Negation_is_detected_and_ignored_when_comparing_claims()
    {
        Assert.True(TextSimilarity.IsNegated("Ann doesn't live in Paris"));
        Assert.False(TextSimilarity.IsNegated("Ann lives in Paris"));
        Assert.Equal(1.0, TextSimilarity.Containment(TextSimilarity.Stems("Ann lives in Paris"), TextSimilarity.Stems("Ann no longer lives in Paris")));
    }

    [Fact]
    public void Days_months_and_possessives_are_not_separate_entities()
    {
        var names = NameExtractor.Extract("On Friday we met at Caroline's place, then Ed Sheeran's concert in June.", ["Caroline"]);
        Assert.Equal(["Caroline", "Ed Sheeran"], names);
    }

    [Fact]
    public void Frequent_general_words_rank_below_topic_words()
    {
        var keywords = KeywordExtractor.Extract("It is important, I realize, to keep researching adoption agencies.", 3).Select(k => k.Text).ToList();
        Assert.Equal(["researching", "adoption", "agencies"], keywords);
    }
}
