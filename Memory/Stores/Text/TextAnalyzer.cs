using System.Globalization;
using System.Text;
using Agents.Inference.Text;

namespace Agents.Memory.Stores.Text;

/// <summary>
/// Turns text into index terms the way PostgreSQL's <c>english</c> text-search configuration roughly
/// does: lower case, split on anything but letters and digits, drop English stop words (PostgreSQL's own
/// list, <see cref="EnglishStopWords"/>), Porter-stem.
/// Both stores index <see cref="Analyze"/>'s result (PostgreSQL stores it as the record's tsvector, made
/// here rather than by <c>to_tsvector</c>), so their full-text rankings are the same.
/// </summary>
public static class TextAnalyzer
{
    /// <summary>Longest word kept (PostgreSQL drops words over 2047 bytes; we stop earlier).</summary>
    public const int MaxWordLength = 64;

    /// <summary>Whether the lower-cased word is one of PostgreSQL's English stop words (<see cref="EnglishStopWords"/>).</summary>
    public static bool IsStopWord(string lowerWord) => EnglishStopWords.Contains(lowerWord);

    /// <summary>Index terms of <paramref name="text"/>, in order, duplicates kept.</summary>
    public static List<string> Terms(string text)
    {
        var terms = new List<string>();
        foreach (var word in Words(text))
        {
            if (EnglishStopWords.Contains(word)) continue;
            terms.Add(PorterStemmer.Stem(word));
        }
        return terms;
    }

    /// <summary>The distinct index terms of <paramref name="text"/> with their positions and the text's
    /// length, as both stores index it (<see cref="AnalyzedText"/>). A word's position is its number among
    /// the text's words, stop words included, as PostgreSQL numbers them; past
    /// <see cref="AnalyzedText.MaxPosition"/> every word takes that one, and a term keeps at most
    /// <see cref="AnalyzedText.MaxPositionsPerTerm"/> positions, as a tsvector can hold no more.</summary>
    public static AnalyzedText Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Dictionary<string, List<int>>? positions = null;
        Span<char> word = stackalloc char[MaxWordLength];
        var length = 0;
        var position = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                if (length < MaxWordLength) word[length] = char.ToLower(text[i], CultureInfo.InvariantCulture);
                length++;
                continue;
            }
            // A word longer than MaxWordLength is dropped, as Words drops it.
            if (length is > 0 and <= MaxWordLength)
            {
                position = Math.Min(position + 1, AnalyzedText.MaxPosition);
                var lower = word[..length];
                if (!EnglishStopWords.Contains(lower))
                {
                    positions ??= new Dictionary<string, List<int>>(StringComparer.Ordinal);
                    var term = StemCache.Stem(lower);
                    if (!positions.TryGetValue(term, out var list)) positions[term] = list = new List<int>(2);
                    if (list.Count < AnalyzedText.MaxPositionsPerTerm && (list.Count == 0 || list[^1] < position)) list.Add(position);
                }
            }
            length = 0;
        }
        if (positions is null) return AnalyzedText.Empty;
        var terms = positions.Keys.ToArray();
        Array.Sort(terms, StringComparer.Ordinal);
        var lists = new int[terms.Length][];
        for (var i = 0; i < terms.Length; i++) lists[i] = [.. positions[terms[i]]];
        return new AnalyzedText(terms, lists);
    }

    /// <summary>How many index terms <paramref name="text"/> has (<see cref="Terms"/>'s count: stemming
    /// never drops a word), counted without allocating.</summary>
    public static int CountTerms(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Span<char> word = stackalloc char[MaxWordLength];
        var count = 0;
        var length = 0;
        foreach (var raw in text)
        {
            if (char.IsLetterOrDigit(raw))
            {
                if (length < MaxWordLength) word[length] = char.ToLower(raw, CultureInfo.InvariantCulture);
                length++;
                continue;
            }
            if (length is > 0 and <= MaxWordLength && !EnglishStopWords.Contains(word[..length])) count++;
            length = 0;
        }
        if (length is > 0 and <= MaxWordLength && !EnglishStopWords.Contains(word[..length])) count++;
        return count;
    }

    /// <summary>Lower-cased words (letters and digits; an apostrophe inside a word ends it).</summary>
    public static IEnumerable<string> Words(string text)
    {
        var builder = new StringBuilder();
        foreach (var raw in text)
        {
            if (char.IsLetterOrDigit(raw))
            {
                builder.Append(char.ToLower(raw, CultureInfo.InvariantCulture));
                continue;
            }
            if (builder.Length > 0)
            {
                if (builder.Length <= MaxWordLength) yield return builder.ToString();
                builder.Clear();
            }
        }
        if (builder.Length is > 0 and <= MaxWordLength) yield return builder.ToString();
    }
}
