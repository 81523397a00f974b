using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Pipelines.Notes;

/// <summary>
/// Deterministic A-MEM enrichment without a model. Keywords: salient content words of the note (no
/// speaker names), topped up from the turn it answers. Tags: broad life topics of the note and its
/// turn pair, plus the kind of turn (question, plan). Context: the conversation's structure, who
/// speaks and when, and the neighbouring turns quoted (<see cref="ConversationContext"/>).
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
        var previousKeywords = previous is null ? [] : KeywordExtractor.Extract(previous.Content, 3, excluded).Select(static k => k.Text).ToList();

        var keywords = new List<string>(own);
        // A short reply ("Yes, last week!") takes its topic from the question it answers.
        foreach (var k in previousKeywords)
        {
            if (keywords.Count >= 3) break;
            if (!keywords.Contains(k, StringComparer.OrdinalIgnoreCase)) keywords.Add(k);
        }

        return ValueTask.FromResult(new NoteEnrichment(keywords, BuildContext(draft), BuildTags(draft, previous, keywords)));
    }

    // Who said it and when, then the neighbouring turns quoted (ConversationContext); the turns that
    // follow are appended by evolution when they arrive, unless the same add already brought them.
    private static string BuildContext(NoteDraft draft)
    {
        var context = ConversationContext.Header(draft.Speaker, draft.ObservedAt);
        foreach (var turn in draft.Before.Concat(draft.After))
            context = ConversationContext.Append(context, ConversationContext.Quote(turn.Speaker, turn.Content));
        return context;
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
