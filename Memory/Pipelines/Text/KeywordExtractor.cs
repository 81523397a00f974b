namespace Agents.Memory.Pipelines.Text;

/// <summary>A keyword with the salience it was ranked by.</summary>
public readonly record struct Keyword(string Text, double Salience);

/// <summary>
/// Offline keyword extraction: content words ranked by a TF-IDF-like salience computed without a
/// corpus. Term frequency is damped; the "inverse document frequency" is approximated by what makes a
/// word rare in conversation: length, being a proper noun (capitalised inside a sentence), a number or
/// a multi-word name. Names of the speakers are excluded (as A-MEM's prompt asks), and so are <see cref="NonTopicWords"/>.
/// </summary>
public static class KeywordExtractor
{
    public static IReadOnlyList<Keyword> Extract(string text, int max, IReadOnlyCollection<string>? excluded = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var excludedLower = new HashSet<string>(StringComparer.Ordinal);
        if (excluded is not null)
            foreach (var e in excluded)
                foreach (var t in Tokenizer.Tokenize(e)) excludedLower.Add(t.Lower);

        // stem -> (best surface, score, first position)
        var terms = new Dictionary<string, (string Surface, double Weight, int Count, int First)>(StringComparer.Ordinal);
        var tokens = Tokenizer.Tokenize(text);
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (!Tokenizer.IsContentWord(t.Lower) || excludedLower.Contains(t.Lower)) continue;
            var stem = Stemmer.Stem(t.Lower);
            var weight = Rarity(t);
            if (terms.TryGetValue(stem, out var existing))
                terms[stem] = (PreferSurface(existing.Surface, t), Math.Max(existing.Weight, weight), existing.Count + 1, existing.First);
            else
                terms[stem] = (Display(t), weight, 1, i);
        }

        var ranked = new List<Keyword>(terms.Count);
        foreach (var (_, v) in terms)
        {
            // Damped term frequency times rarity, with a gentle preference for early words (topic first).
            var salience = (1 + Math.Log(v.Count)) * v.Weight * (1 + 0.15 / (1 + v.First / 8.0));
            ranked.Add(new Keyword(v.Surface, salience));
        }
        ranked.Sort(static (a, b) => b.Salience != a.Salience ? b.Salience.CompareTo(a.Salience) : string.CompareOrdinal(a.Text, b.Text));
        if (ranked.Count > max) ranked.RemoveRange(max, ranked.Count - max);
        return ranked;
    }

    private static double Rarity(Token t)
    {
        var w = 1.0 + Math.Min(t.Lower.Length, 12) / 6.0;           // longer words are rarer
        if (t.IsCapitalised && !t.StartsSentence) w += 1.0;       // proper noun inside a sentence
        if (char.IsDigit(t.Lower[0])) w += 0.5;                    // numbers and years pin facts down
        if (CommonWords.IsGeneral(t.Lower) || CommonWords.IsTime(t.Lower)) w *= 0.35; // frequent words say little
        return w;
    }

    private static string Display(Token t) => t.IsCapitalised && !t.StartsSentence ? t.Surface : t.Lower;

    private static string PreferSurface(string current, Token t) =>
        t.IsCapitalised && !t.StartsSentence ? t.Surface : current;
}
