using Agents.Memory.Stores.Text;

namespace Agents.Tests.Unit.Memory.Stores;

public sealed class TextAnalyzerTests
{
    [Theory]
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("cats", "cat")]
    [InlineData("agreed", "agre")]
    [InlineData("plastered", "plaster")]
    [InlineData("motoring", "motor")]
    [InlineData("hopping", "hop")]
    [InlineData("filing", "file")]
    [InlineData("happy", "happi")]
    [InlineData("relational", "relat")]
    [InlineData("conditional", "condit")]
    [InlineData("generalization", "gener")]
    [InlineData("hopefulness", "hope")]
    [InlineData("electrical", "electr")]
    [InlineData("adjustment", "adjust")]
    [InlineData("adoption", "adopt")]
    [InlineData("controlling", "control")]
    [InlineData("running", "run")]
    [InlineData("sky", "sky")]
    [InlineData("2023", "2023")]
    [InlineData("café", "café")]
    public void Porter_stemmer_gives_the_reference_stems(string word, string stem) => Assert.Equal(stem, PorterStemmer.Stem(word));

    [Fact]
    public void Terms_are_lower_cased_split_on_punctuation_without_stop_words_and_stemmed()
    {
        Assert.Equal(["carolin", "went", "hike", "mountain", "7", "mai", "2023"],
            TextAnalyzer.Terms("When did Caroline go? She went hiking in the Mountains (7 May, 2023)!").Where(t => t != "go").ToArray());
        Assert.Empty(TextAnalyzer.Terms("the and of to"));
        Assert.Empty(TextAnalyzer.Terms(""));
    }

    [Fact]
    public void Analysis_gives_distinct_terms_in_order_with_positions_as_PostgreSQL_numbers_words()
    {
        var text = TextAnalyzer.Analyze("The cat saw the other cat; cats sleep.");
        // Stop words take a position but no term; "cat" and "cats" share a stem.
        Assert.Equal(["cat", "saw", "sleep"], text.Terms);
        Assert.Equal([[2, 6, 7], [3], [8]], text.Positions);
        Assert.Equal([3, 1, 1], text.Frequencies);
        Assert.Equal(5, text.Length);
        Assert.Same(AnalyzedText.Empty, TextAnalyzer.Analyze("the and of"));
        Assert.Equal(TextAnalyzer.Terms("Hiking by the lakes").Order(StringComparer.Ordinal), TextAnalyzer.Analyze("Hiking by the lakes").Terms);
    }

    [Fact]
    public void Analysis_keeps_what_a_tsvector_can_hold()
    {
        // At most 256 positions a term; past position 16,383 every word takes that one, counted once.
        var text = TextAnalyzer.Analyze(string.Join(' ', Enumerable.Repeat("lake", 300)) + " " + string.Join(' ', Enumerable.Repeat("word", 20_000)) + " river");
        Assert.Equal(["lake", "river", "word"], text.Terms);
        Assert.Equal(AnalyzedText.MaxPositionsPerTerm, text.Frequencies[0]);
        Assert.Equal([AnalyzedText.MaxPosition], text.Positions[1]);
        Assert.Equal(AnalyzedText.MaxPositionsPerTerm, text.Frequencies[2]);
        Assert.All(text.Positions, p => Assert.True(p.SequenceEqual(p.Order().Distinct())));
    }

    [Fact]
    public void Analysis_finds_the_terms_and_positions_that_the_word_list_gives()
    {
        // Analyze scans characters (stems cached); Words and Terms are the plain reference.
        var random = new Random(3);
        string[] pieces = ["Caroline's", "well-known", "HIKING", "hikes", "the", "of", "café", "naïve", "2023", "3.5km", "e-mail",
            "ünïcödé", "x", new string('a', 64), new string('b', 65), "running", "ran", "generously", "—", "日本語", "\n", "'quoted'"];
        for (var round = 0; round < 200; round++)
        {
            var text = string.Join(random.Next(2) == 0 ? " " : ", ", Enumerable.Range(0, random.Next(40)).Select(_ => pieces[random.Next(pieces.Length)]));
            var analysed = TextAnalyzer.Analyze(text);
            var words = TextAnalyzer.Words(text).ToList();
            var expected = words.Select((w, i) => (Word: w, Position: i + 1))
                .Where(x => !TextAnalyzer.IsStopWord(x.Word))
                .GroupBy(x => PorterStemmer.Stem(x.Word), StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToList();
            Assert.Equal(expected.Select(g => g.Key), analysed.Terms);
            Assert.Equal(expected.Select(g => g.Select(x => x.Position).ToArray()), analysed.Positions);
            Assert.Equal(TextAnalyzer.Terms(text).Count, analysed.Length);
        }
    }
}
