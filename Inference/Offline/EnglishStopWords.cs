using System.Collections.Frozen;

namespace Agents.Inference.Offline;

/// <summary>Common English function words (the classic IR list): they carry no topic, so offline
/// embedders and lexical scorers skip them.</summary>
public static class EnglishStopWords
{
    private static readonly FrozenSet<string> Words = new[]
    {
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "cannot",
        "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had",
        "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if",
        "in", "into", "is", "it", "its", "itself", "me", "more", "most", "my", "myself", "no", "nor", "not", "of",
        "off", "on", "once", "only", "or", "other", "ought", "our", "ours", "ourselves", "out", "over", "own",
        "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
        "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until",
        "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "with",
        "would", "you", "your", "yours", "yourself", "yourselves", "s", "t", "d", "ll", "m", "re", "ve", "don",
        "didn", "doesn", "isn", "wasn", "aren", "weren", "hasn", "haven", "hadn", "won", "wouldn", "shouldn",
        "couldn", "can't", "let", "just", "also",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether the lower-cased word is a stop word.</summary>
    public static bool Contains(ReadOnlySpan<char> lowerWord) => Words.GetAlternateLookup<ReadOnlySpan<char>>().Contains(lowerWord);
}
