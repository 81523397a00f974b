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
}
