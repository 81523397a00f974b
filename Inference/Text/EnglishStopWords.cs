using System.Collections.Frozen;

namespace Agents.Inference.Text;

/// <summary>
/// The English stop words of the whole system: exactly PostgreSQL's <c>english.stop</c> (the list its
/// <c>english</c> text-search configuration drops in <c>to_tsvector('english', ...)</c>), in that file's
/// order. The PostgreSQL store cannot change its list, so every other component drops the same words:
/// the embedded store's BM25 analyzer, the offline hashing embedder and the offline keyword extractors.
/// Do not add words here; a component that needs more words dropped keeps them as its own, separately
/// named set.
/// </summary>
public static class EnglishStopWords
{
    private static readonly string[] InPostgresOrder =
    [
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
        "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
        "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was",
        "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an", "the", "and",
        "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about", "against", "between",
        "into", "through", "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off",
        "over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all", "any",
        "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so",
        "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now",
    ];

    private static readonly FrozenSet<string> Set = InPostgresOrder.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> SpanLookup = Set.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>All the stop words (lower case).</summary>
    public static IReadOnlySet<string> Words => Set;

    /// <summary>Whether the lower-cased word is a stop word (no allocation for a span).</summary>
    public static bool Contains(ReadOnlySpan<char> lowerWord) => SpanLookup.Contains(lowerWord);

    /// <summary>Whether the lower-cased word is a stop word.</summary>
    public static bool Contains(string lowerWord) => Set.Contains(lowerWord);
}
