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
}
