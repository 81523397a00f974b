using Agents.Inference.Offline;
using Agents.Inference.Text;
using Agents.Memory.Pipelines.Text;
using Agents.Memory.Stores.Text;

namespace Agents.Tests.Unit.Text;

/// <summary>The BM25 analyzer, the offline embedder and the keyword extractor drop the same stop words.</summary>
public sealed class StopWordAgreementTests
{
    [Fact]
    public void The_list_is_postgresql_english_stop()
    {
        Assert.Equal(127, EnglishStopWords.Words.Count); // english.stop of PostgreSQL 9 to 17
        Assert.All(EnglishStopWords.Words, w => Assert.Equal(w.ToLowerInvariant(), w));
        foreach (var kept in new[] { "could", "would", "also", "cannot", "let", "won", "didn" }) Assert.False(EnglishStopWords.Contains(kept), kept);
        foreach (var dropped in new[] { "will", "now", "don", "s", "t" }) Assert.True(EnglishStopWords.Contains(dropped.AsSpan()), dropped);
    }

    public static TheoryData<string> StopWords() => [.. EnglishStopWords.Words];

    [Theory]
    [MemberData(nameof(StopWords))]
    public void A_stop_word_is_dropped_by_the_analyzer_the_embedder_and_the_keyword_extractor(string word)
    {
        Assert.True(TextAnalyzer.IsStopWord(word));
        Assert.Empty(TextAnalyzer.Terms(word));
        Assert.All(new HashingEmbedder().Embed(word), x => Assert.Equal(0f, x)); // no features at all
        Assert.Empty(KeywordExtractor.Extract(word, 5));
        Assert.Empty(Tokenizer.ContentWords(word));
    }

    [Fact]
    public void A_content_word_is_kept_by_all_three()
    {
        const string Word = "painting";
        Assert.False(TextAnalyzer.IsStopWord(Word));
        Assert.Equal(["paint"], TextAnalyzer.Terms(Word));
        Assert.Contains(new HashingEmbedder().Embed(Word), x => x != 0);
        Assert.Equal(Word, Assert.Single(KeywordExtractor.Extract(Word, 5)).Text.ToLowerInvariant());
    }

    [Fact]
    public void Filler_is_no_stop_word_the_index_keeps_it_and_only_keywords_skip_it()
    {
        foreach (var word in new[] { "yeah", "would", "today", "thanks" })
        {
            Assert.False(EnglishStopWords.Contains(word), word);
            Assert.NotEmpty(TextAnalyzer.Terms(word));
            Assert.True(NonTopicWords.Contains(word), word);
        }
    }

    [Theory]
    [InlineData("don't", true)]
    [InlineData("isn't", true)]
    [InlineData("i'm", true)]
    [InlineData("they've", true)]
    [InlineData("let's", true)]
    [InlineData("caroline's", false)]
    [InlineData("o'brien", false)]
    public void A_contraction_of_a_function_word_is_no_topic(string token, bool noTopic) => Assert.Equal(noTopic, NonTopicWords.Contains(token));

    [Fact]
    public void The_embedder_gives_no_feature_to_a_contraction_of_stop_words()
    {
        var embedder = new HashingEmbedder();
        Assert.All(embedder.Embed("I'm. You'll, they've; we'd. Don't!"), x => Assert.Equal(0f, x));
        Assert.Contains(embedder.Embed("O'Brien"), x => x != 0);
    }
}
