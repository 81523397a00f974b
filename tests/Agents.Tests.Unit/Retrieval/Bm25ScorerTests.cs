using Agents.Memory.Retrieval;

namespace Agents.Tests.Unit.Retrieval;

/// <summary>The reference BM25 of the LoCoMo benchmark on a corpus small enough to compute by hand.</summary>
public sealed class Bm25ScorerTests
{
    // N = 3, average length 8/3; "cat" in 2 documents: idf = ln(1 + 1.5 / 2.5) = ln 1.6.
    private static readonly IReadOnlyList<IReadOnlyList<string>> Corpus = [["cat", "sat"], ["dog", "sat", "mat"], ["cat", "cat", "mat"]];

    [Fact]
    public void Scores_match_values_computed_by_hand()
    {
        var scorer = new Bm25Scorer(Corpus);
        Assert.Equal(Math.Log(1.6), scorer.Idf("cat"), 12);
        Assert.Equal(Math.Log(1 + 2.5 / 1.5), scorer.Idf("dog"), 12);
        var scores = scorer.Score(["cat"]);
        // d0: tf 1, |d| 2: ln1.6 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / (8/3)))
        Assert.Equal(0.523548346501579, scores[0], 9);
        Assert.Equal(0.0, scores[1]);
        Assert.Equal(0.6243067075264112, scores[2], 9);
        // Two terms add: d1 holds "dog" (df 1) and "mat" (df 2), tf 1 each, |d| 3.
        Assert.Equal(1.3802518231206125, scorer.Score(["dog", "mat"])[1], 9);
    }

    [Fact]
    public void Each_distinct_query_term_counts_once()
    {
        var scorer = new Bm25Scorer(Corpus);
        Assert.Equal(scorer.Score(["cat"]), scorer.Score(["cat", "cat", "cat"]));
    }

    [Fact]
    public void Ties_go_to_the_earlier_document()
    {
        Assert.Equal([1, 0, 3, 2], Bm25Scorer.Rank([0.5, 2.0, 0.0, 0.5]));
        var scorer = new Bm25Scorer([["a"], ["b"], ["a"]]);
        Assert.Equal([0, 2, 1], Bm25Scorer.Rank(scorer.Score(["a"])));
    }

    [Fact]
    public void Tokenizer_follows_the_recipe()
    {
        var tokenizer = new LexicalTokenizer(new HashSet<string> { "the", "don" });
        // Lower-cased runs of [a-z0-9]; the apostrophe splits "don't" into "don" (a stop word) and "t".
        Assert.Equal(["t", "stop", "music", "2023", "caf"], tokenizer.Tokenize("Don't STOP the music, 2023! Café"));
        Assert.Empty(tokenizer.Tokenize("  ... "));
    }

    [Fact]
    public void Bad_parameters_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bm25Scorer(Corpus, k1: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bm25Scorer(Corpus, b: 1.5));
        Assert.Throws<FileNotFoundException>(() => LexicalTokenizer.FromStopWordFile("/nonexistent/stopwords.txt"));
    }

    [Fact]
    public void Empty_corpus_scores_nothing()
    {
        var scorer = new Bm25Scorer([]);
        Assert.Empty(scorer.Score(["x"]));
    }
}
