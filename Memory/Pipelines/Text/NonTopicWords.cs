using Agents.Inference.Text;

namespace Agents.Memory.Pipelines.Text;

/// <summary>
/// Words the offline extractors never pick as keywords, tags or entity names: the shared English stop
/// words (<see cref="EnglishStopWords"/>), contractions built on them, and <see cref="ConversationalFiller"/>.
/// </summary>
public static class NonTopicWords
{
    /// <summary>Whether <paramref name="lowerToken"/> (already lower case, as <see cref="Tokenizer"/> gives it) says nothing about a topic.</summary>
    public static bool Contains(string lowerToken)
    {
        ArgumentNullException.ThrowIfNull(lowerToken);
        return EnglishStopWords.Contains(lowerToken) || ConversationalFiller.Contains(lowerToken) || IsFunctionContraction(lowerToken);
    }

    // Tokenizer keeps "don't" and "i'm" whole, where PostgreSQL splits them into stop words. A contraction
    // is a function word when it negates an auxiliary ("isn't", "won't") or its head is one ("i'm", "they've",
    // "let's"); a possessive of a content word ("caroline's") is not.
    private static bool IsFunctionContraction(string lowerToken)
    {
        var apostrophe = lowerToken.IndexOf('\'');
        if (apostrophe <= 0) return false;
        if (lowerToken.EndsWith("n't", StringComparison.Ordinal)) return true;
        var head = lowerToken[..apostrophe];
        return EnglishStopWords.Contains(head) || ConversationalFiller.Contains(head);
    }
}
