using System.Collections.Frozen;

namespace Agents.Memory.Pipelines.Text;

/// <summary>
/// English function words and conversational filler. They carry no topic, so the offline extractors
/// never pick them as keywords, tags or entity names.
/// </summary>
public static class StopWords
{
    private static readonly FrozenSet<string> Words = new[]
    {
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "aren't",
        "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
        "can't", "cannot", "could", "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't", "down",
        "during", "each", "else", "even", "ever", "every", "few", "for", "from", "further", "get", "gets", "getting",
        "got", "gonna", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "he'd", "he'll", "he's",
        "her", "here", "here's", "hers", "herself", "hey", "hi", "him", "himself", "his", "how", "how's", "i", "i'd",
        "i'll", "i'm", "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its", "itself", "just", "let's",
        "like", "lot", "lots", "me", "might", "more", "most", "much", "must", "mustn't", "my", "myself", "no", "nor",
        "not", "now", "of", "off", "oh", "ok", "okay", "on", "once", "one", "only", "or", "other", "ought", "our",
        "ours", "ourselves", "out", "over", "own", "really", "same", "shall", "shan't", "she", "she'd", "she'll",
        "she's", "should", "shouldn't", "so", "some", "something", "such", "sure", "than", "that", "that's", "the",
        "their", "theirs", "them", "themselves", "then", "there", "there's", "these", "they", "they'd", "they'll",
        "they're", "they've", "thing", "things", "this", "those", "though", "through", "to", "too", "under",
        "until", "up", "upon", "us", "very", "was", "wasn't", "we", "we'd", "we'll", "we're", "we've", "well",
        "were", "weren't", "what", "what's", "when", "when's", "where", "where's", "which", "while", "who", "who's",
        "whom", "why", "why's", "will", "with", "won't", "would", "wouldn't", "yeah", "yes", "yet", "you", "you'd",
        "you'll", "you're", "you've", "your", "yours", "yourself", "yourselves", "wow", "thanks", "thank", "great",
        "awesome", "cool", "nice", "good", "glad", "totally", "definitely", "absolutely", "actually", "always",
        "anything", "everything", "nothing", "someone", "anyone", "everyone", "way", "ways", "lol", "haha", "hmm",
        "im", "ive", "dont", "didnt", "cant", "thats", "whats", "youre", "ill", "id", "let", "make", "made", "know",
        "think", "going", "go", "went", "see", "say", "said", "tell", "told", "want", "wanted", "still", "since",
        "many", "may", "maybe", "another", "able", "around", "back", "kind", "bit", "quite", "pretty", "feel",
        "felt", "mean", "means", "take", "took", "come", "came", "keep", "new", "lately", "recently", "today",
        "yesterday", "tomorrow", "last", "next", "time", "times", "day", "days", "week", "weeks", "year", "years",
        "month", "months", "ago", "soon", "already",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="lowerToken"/> (already lower case) is a stop word.</summary>
    public static bool Contains(string lowerToken) => Words.Contains(lowerToken);
}
