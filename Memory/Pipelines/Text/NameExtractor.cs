namespace Agents.Memory.Pipelines.Text;

/// <summary>
/// Offline named-entity spotting: runs of capitalised words ("New York", "Dr. Lee"), skipping a
/// capitalised first word of a sentence unless it is known to be a name (a speaker, or a name already
/// seen capitalised inside a sentence), and skipping stop words such as "I" or "The".
/// </summary>
public static class NameExtractor
{
    /// <summary>Names found in <paramref name="text"/>, in order of first appearance, distinct by normalised form.</summary>
    public static List<string> Extract(string text, IReadOnlyCollection<string>? knownNames = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var known = new HashSet<string>(StringComparer.Ordinal);
        if (knownNames is not null)
            foreach (var n in knownNames) known.Add(Normalize(n));

        var tokens = Tokenizer.Tokenize(text);
        // Names capitalised inside a sentence somewhere in the text also count at a sentence start.
        foreach (var t in tokens)
            if (t.IsCapitalised && !t.StartsSentence && !NonTopicWords.Contains(t.Lower)) known.Add(t.Lower);

        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (i < tokens.Count)
        {
            if (!IsNameWord(tokens[i], known) && !StartsCompoundName(text, tokens, i)) { i++; continue; }
            var start = i;
            var end = i + 1;
            // Extend over following capitalised words that sit right next to each other ("New York City").
            while (end < tokens.Count && tokens[end].IsCapitalised && !tokens[end].StartsSentence && !NonTopicWords.Contains(tokens[end].Lower)
                   && Adjacent(text, tokens[end - 1], tokens[end]))
                end++;
            var name = text[tokens[start].Start..(tokens[end - 1].Start + tokens[end - 1].Surface.Length)];
            if (name.EndsWith("'s", StringComparison.Ordinal)) name = name[..^2]; // "Caroline's" names Caroline
            if (seen.Add(Normalize(name))) names.Add(name);
            i = end;
        }
        return names;
    }

    /// <summary>The normalised form used for exact-name de-duplication: lower case, single spaces, no punctuation.</summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = Tokenizer.Tokenize(name).ConvertAll(static t => t.Lower.EndsWith("'s", StringComparison.Ordinal) ? t.Lower[..^2] : t.Lower);
        if (parts.Count > 1 && parts[0] == "the") parts.RemoveAt(0);
        return string.Join(' ', parts);
    }

    // "New York", "Lake Tahoe": a capitalised common word inside a sentence, directly followed by a name word.
    private static bool StartsCompoundName(string text, List<Token> tokens, int i)
    {
        var t = tokens[i];
        if (!t.IsCapitalised || t.StartsSentence || t.Lower is "i" or "i'm" or "i've" or "i'd" or "i'll" || i + 1 >= tokens.Count) return false;
        var next = tokens[i + 1];
        return next.IsCapitalised && !next.StartsSentence && !NonTopicWords.Contains(next.Lower) && Adjacent(text, t, next);
    }

    private static bool IsNameWord(Token t, HashSet<string> known)
    {
        if (!t.IsCapitalised || t.Lower.Length < 2 || NonTopicWords.Contains(t.Lower)) return false;
        if (char.IsDigit(t.Surface[0]) || CommonWords.IsTime(t.Lower)) return false;
        return !t.StartsSentence || known.Contains(t.Lower);
    }

    // Only a space (or a hyphen/apostrophe already inside the token) may separate the words of a name.
    private static bool Adjacent(string text, Token a, Token b)
    {
        var gap = text.AsSpan(a.Start + a.Surface.Length, b.Start - a.Start - a.Surface.Length);
        return gap.Length is > 0 and <= 2 && gap.Trim().Length == 0 || gap.SequenceEqual(". ") && a.Surface.Length <= 3;
    }
}
