using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Pipelines.Notes;

/// <summary>
/// Deterministic A-MEM enrichment without a model. Keywords: salient content words of the note (no
/// speaker names), topped up from the turn it answers. Tags: broad life topics of the note and its
/// turn pair, plus the kind of turn (question, plan). Context: one line from the conversation's
/// structure: who speaks, when, to whom and about what they reply, and what comes next.
/// </summary>
public sealed class OfflineNoteEnricher : INoteEnricher
{
    /// <summary>Tags that describe the kind of turn, not its topic: they belong to one note and never spread to others.</summary>
    public static IReadOnlySet<string> ActTags { get; } = new HashSet<string>(StringComparer.Ordinal) { "question", "plan" };

    private const int MaxKeywords = 6;
    private const int MaxTags = 5;

    public ValueTask<NoteEnrichment> EnrichAsync(NoteDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        cancellationToken.ThrowIfCancellationRequested();
        var excluded = new List<string>(draft.Participants);
        if (draft.Speaker is not null) excluded.Add(draft.Speaker);

        var own = KeywordExtractor.Extract(draft.Content, MaxKeywords, excluded).Select(static k => k.Text).ToList();
        var previous = draft.Before.Count > 0 ? draft.Before[^1] : null;
        var next = draft.After.Count > 0 ? draft.After[0] : null;
        var previousKeywords = previous is null ? [] : KeywordExtractor.Extract(previous.Content, 3, excluded).Select(static k => k.Text).ToList();
        var nextKeywords = next is null ? [] : KeywordExtractor.Extract(next.Content, 3, excluded).Select(static k => k.Text).ToList();

        var keywords = new List<string>(own);
        // A short reply ("Yes, last week!") takes its topic from the question it answers.
        foreach (var k in previousKeywords)
        {
            if (keywords.Count >= 3) break;
            if (!keywords.Contains(k, StringComparer.OrdinalIgnoreCase)) keywords.Add(k);
        }

        return ValueTask.FromResult(new NoteEnrichment(keywords, BuildContext(draft, own, previous, previousKeywords, next, nextKeywords), BuildTags(draft, previous, keywords)));
    }

    private static string BuildContext(NoteDraft draft, List<string> own, ConversationTurn? previous, List<string> previousKeywords, ConversationTurn? next, List<string> nextKeywords)
    {
        var who = string.IsNullOrWhiteSpace(draft.Speaker) ? "Someone" : draft.Speaker;
        var parts = new List<string>(4) { $"{who} on {PerspectiveRewriter.Format(draft.ObservedAt.Date)}" };
        if (previous is not null)
        {
            var verb = previous.Speaker == draft.Speaker && draft.Speaker is not null ? "continuing"
                : string.IsNullOrWhiteSpace(previous.Speaker) ? "replying" : $"replying to {previous.Speaker}";
            parts.Add(previousKeywords.Count > 0 ? $"{verb} about {string.Join(", ", previousKeywords)}" : verb);
        }
        else if (draft.Participants.Count > 1)
            parts.Add("talking with " + string.Join(" and ", draft.Participants.Where(p => p != draft.Speaker)));
        parts.Add(own.Count > 0 ? $"{(IsQuestion(draft.Content) ? "asks about" : "talks about")} {string.Join(", ", own.Take(4))}" : "brief reply");
        if (next is not null && nextKeywords.Count > 0)
            parts.Add($"then {(string.IsNullOrWhiteSpace(next.Speaker) ? "the other side" : next.Speaker)} mentions {string.Join(", ", nextKeywords)}");
        return string.Join("; ", parts) + ".";
    }

    private static List<string> BuildTags(NoteDraft draft, ConversationTurn? previous, List<string> keywords)
    {
        var words = Tokenizer.ContentWords(draft.Content);
        var tags = TopicLexicon.TopicsOf(words);
        if (tags.Count == 0 && previous is not null) tags = TopicLexicon.TopicsOf(Tokenizer.ContentWords(previous.Content));
        if (tags.Count > 3) tags.RemoveRange(3, tags.Count - 3);
        if (IsQuestion(draft.Content)) tags.Add("question");
        if (IsPlan(draft.Content)) tags.Add("plan");
        // At least three tags (A-MEM's rule): fall back on the most salient keywords.
        foreach (var k in keywords)
        {
            if (tags.Count >= 3) break;
            var lower = k.ToLowerInvariant();
            if (!tags.Contains(lower)) tags.Add(lower);
        }
        if (tags.Count > MaxTags) tags.RemoveRange(MaxTags, tags.Count - MaxTags);
        return tags;
    }

    private static bool IsQuestion(string content) => content.TrimEnd().EndsWith('?');

    private static bool IsPlan(string content)
    {
        var lower = " " + content.ToLowerInvariant() + " ";
        return lower.Contains(" going to ", StringComparison.Ordinal) || lower.Contains(" will ", StringComparison.Ordinal)
            || lower.Contains(" plan", StringComparison.Ordinal) || lower.Contains("'ll ", StringComparison.Ordinal)
            || lower.Contains(" next ", StringComparison.Ordinal);
    }
}
