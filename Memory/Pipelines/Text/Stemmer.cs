namespace Agents.Memory.Pipelines.Text;

/// <summary>
/// A light suffix stripper (plural and common verb endings) so "painting", "paints" and "painted" count
/// as one term when the offline extractors weigh salience and compare facts. Not a full Porter stemmer:
/// it only has to be consistent, never to produce dictionary words.
/// </summary>
public static class Stemmer
{
    public static string Stem(string lower)
    {
        if (lower.EndsWith("'s", StringComparison.Ordinal)) lower = lower[..^2];
        if (lower.Length <= 4) return lower;
        // Plural first, then verb endings, so "paintings" and "painted" both reach "paint".
        if (lower.EndsWith("ies", StringComparison.Ordinal) && lower.Length > 5) return lower[..^3] + "y";
        if (lower.EndsWith("es", StringComparison.Ordinal) && lower.Length > 5 && (lower[^3] is 's' or 'x' or 'z' or 'h')) lower = lower[..^2];
        else if (lower.EndsWith('s') && !lower.EndsWith("ss", StringComparison.Ordinal) && !lower.EndsWith("us", StringComparison.Ordinal) && !lower.EndsWith("is", StringComparison.Ordinal)) lower = lower[..^1];
        if (lower.EndsWith("ing", StringComparison.Ordinal) && lower.Length > 6) return TrimDouble(lower[..^3]);
        if (lower.EndsWith("ed", StringComparison.Ordinal) && lower.Length > 5) return TrimDouble(lower[..^2]);
        return lower;
    }

    // "running" -> "runn" -> "run"; "hoped" -> "hop" is acceptable: consistency matters, not spelling.
    private static string TrimDouble(string s) =>
        s.Length > 3 && s[^1] == s[^2] && !"aeiouls".Contains(s[^1]) ? s[..^1] : s;
}
