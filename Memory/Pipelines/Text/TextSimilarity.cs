namespace Agents.Memory.Pipelines.Text;

/// <summary>Word-level comparisons of short texts (stemmed content words) for offline consolidation.</summary>
public static class TextSimilarity
{
    private static readonly HashSet<string> Negations = new(StringComparer.Ordinal)
    { "not", "no", "never", "n't", "don't", "doesn't", "didn't", "isn't", "wasn't", "aren't", "won't", "can't", "cannot", "longer", "stopped", "quit", "anymore" };

    /// <summary>Lower case, single spaces, no punctuation: the form two texts are "the same" in.</summary>
    public static string Normalize(string text) => string.Join(' ', Tokenizer.Tokenize(text).ConvertAll(static t => t.Lower));

    /// <summary>Stemmed content words, without negation words (so "X" and "not X" compare on the claim).</summary>
    public static HashSet<string> Stems(string text)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in Tokenizer.Tokenize(text))
            if (Tokenizer.IsContentWord(t.Lower) && !Negations.Contains(t.Lower)) set.Add(Stemmer.Stem(t.Lower));
        return set;
    }

    /// <summary>Share of <paramref name="inner"/>'s stems that are also in <paramref name="outer"/> (1 when inner is empty).</summary>
    public static double Containment(HashSet<string> inner, HashSet<string> outer)
    {
        if (inner.Count == 0) return 1;
        var shared = 0;
        foreach (var s in inner) if (outer.Contains(s)) shared++;
        return (double)shared / inner.Count;
    }

    public static bool IsNegated(string text)
    {
        foreach (var t in Tokenizer.Tokenize(text))
            if (Negations.Contains(t.Lower) || t.Lower.EndsWith("n't", StringComparison.Ordinal)) return true;
        return false;
    }
}
