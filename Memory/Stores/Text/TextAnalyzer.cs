using System.Globalization;
using System.Text;
using Agents.Inference.Text;

namespace Agents.Memory.Stores.Text;

/// <summary>
/// Turns text into index terms the way PostgreSQL's <c>english</c> text-search configuration roughly
/// does: lower case, split on anything but letters and digits, drop English stop words (PostgreSQL's own
/// list, <see cref="EnglishStopWords"/>), Porter-stem.
/// The embedded store's BM25 and the retrieval code use it, so both stores rank over similar tokens.
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
