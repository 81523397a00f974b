using System.Globalization;
using System.Text;

namespace Agents.Memory.Stores.Text;

/// <summary>
/// Turns text into index terms the way PostgreSQL's <c>english</c> text-search configuration roughly
/// does: lower case, split on anything but letters and digits, drop English stop words, Porter-stem.
/// The embedded store's BM25 and the retrieval code use it, so both stores rank over similar tokens.
/// </summary>
public static class TextAnalyzer
{
    /// <summary>PostgreSQL's english.stop list.</summary>
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "i","me","my","myself","we","our","ours","ourselves","you","your","yours","yourself","yourselves",
        "he","him","his","himself","she","her","hers","herself","it","its","itself","they","them","their",
        "theirs","themselves","what","which","who","whom","this","that","these","those","am","is","are","was",
        "were","be","been","being","have","has","had","having","do","does","did","doing","a","an","the","and",
        "but","if","or","because","as","until","while","of","at","by","for","with","about","against","between",
        "into","through","during","before","after","above","below","to","from","up","down","in","out","on","off",
        "over","under","again","further","then","once","here","there","when","where","why","how","all","any",
        "both","each","few","more","most","other","some","such","no","nor","not","only","own","same","so",
        "than","too","very","s","t","can","will","just","don","should","now",
    };

    /// <summary>Longest word kept (PostgreSQL drops words over 2047 bytes; we stop earlier).</summary>
    public const int MaxWordLength = 64;

    public static bool IsStopWord(string lowerWord) => StopWords.Contains(lowerWord);

    /// <summary>Index terms of <paramref name="text"/>, in order, duplicates kept.</summary>
    public static List<string> Terms(string text)
    {
        var terms = new List<string>();
        foreach (var word in Words(text))
        {
            if (StopWords.Contains(word)) continue;
            terms.Add(PorterStemmer.Stem(word));
        }
        return terms;
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
