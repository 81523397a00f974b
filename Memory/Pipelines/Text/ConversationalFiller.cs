using System.Collections.Frozen;

namespace Agents.Memory.Pipelines.Text;

/// <summary>
/// Words of chat that the shared stop-word list (<see cref="Agents.Inference.Text.EnglishStopWords"/>,
/// PostgreSQL's, which keeps them) does not drop but that never name a topic: greetings and reactions,
/// informal spellings without the apostrophe, modal and other function words, vague nouns, light verbs
/// and relative time words. Not stop words: the stores and the embedder index them. Only the offline
/// extractors skip them when picking keywords, tags and entity names.
/// </summary>
public static class ConversationalFiller
{
    private static readonly FrozenSet<string> Words = new[]
    {
        // Greetings, reactions and hedges.
        "hey", "hi", "oh", "ok", "okay", "yeah", "yes", "wow", "lol", "haha", "hmm", "thanks", "thank", "great", "awesome",
        "cool", "nice", "good", "glad", "totally", "definitely", "absolutely", "actually", "really", "sure", "pretty",
        "quite", "like", "well", "maybe",
        // Contractions typed without the apostrophe.
        "im", "ive", "dont", "didnt", "cant", "thats", "whats", "youre", "ill", "id", "gonna",
        // Modal and other function words PostgreSQL's list keeps.
        "also", "cannot", "could", "would", "might", "must", "may", "shall", "ought", "else", "even", "ever", "every",
        "much", "many", "another", "upon", "us", "yet", "still", "since", "though", "already", "always", "around", "back",
        // Vague nouns and pronouns.
        "something", "anything", "everything", "nothing", "someone", "anyone", "everyone", "thing", "things", "lot",
        "lots", "one", "way", "ways", "kind", "bit", "able",
        // Light verbs.
        "get", "gets", "getting", "got", "let", "make", "made", "know", "think", "going", "go", "went", "see", "say",
        "said", "tell", "told", "want", "wanted", "feel", "felt", "mean", "means", "take", "took", "come", "came", "keep",
        // Relative time words.
        "new", "lately", "recently", "today", "yesterday", "tomorrow", "last", "next", "time", "times", "day", "days",
        "week", "weeks", "year", "years", "month", "months", "ago", "soon",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="lowerToken"/> (already lower case) is filler.</summary>
    public static bool Contains(string lowerToken) => Words.Contains(lowerToken);
}
