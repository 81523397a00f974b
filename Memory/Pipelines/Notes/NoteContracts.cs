namespace Agents.Memory.Pipelines.Notes;

/// <summary>
/// What the enricher sees of a new note: its content, its speaker and observation time, and the
/// neighbouring turns of the conversation (the structure a one-line context is built from).
/// </summary>
public sealed record NoteDraft(
    string Content,
    string? Speaker,
    DateTimeOffset ObservedAt,
    IReadOnlyList<ConversationTurn> Before,
    IReadOnlyList<ConversationTurn> After,
    IReadOnlyList<string> Participants);

/// <summary>A-MEM's enrichment of a note: keywords (most salient first), a one-line context, broad tags.</summary>
public sealed record NoteEnrichment(IReadOnlyList<string> Keywords, string Context, IReadOnlyList<string> Tags);

/// <summary>A stored note as the link decider sees it.</summary>
public sealed record NoteSnapshot(Guid Id, string Content, string Context, IReadOnlyList<string> Keywords, IReadOnlyList<string> Tags, DateTimeOffset? ObservedAt)
{
    /// <summary>Who said it, when the note was made from a conversation turn.</summary>
    public string? Speaker { get; init; }
}

/// <summary>
/// A neighbour of the new note and its cosine similarity to it. <paramref name="Precedes"/>: the
/// neighbour is one of the turns the new note follows in the same conversation (shown whether or not
/// it is among the nearest), so evolution can tell it what came next.
/// </summary>
public sealed record NeighbourNote(NoteSnapshot Note, double Similarity, bool Precedes = false);

/// <summary>The new context and tags for one neighbour, keyed by its real id (never by its rank: A-MEM issue #32).</summary>
public sealed record NeighbourRewrite(Guid Id, string Context, IReadOnlyList<string> Tags);

/// <summary>
/// A-MEM's evolution decision: the neighbours to link the new note to ("strengthen"), the new note's
/// refreshed tags (null: keep them), and rewrites of neighbours' context and tags ("update_neighbor").
/// Content and keywords of old notes are never part of a decision.
/// </summary>
public sealed record LinkDecision(IReadOnlyList<Guid> LinkTo, IReadOnlyList<string>? NewNoteTags, IReadOnlyList<NeighbourRewrite> Rewrites)
{
    public static LinkDecision None { get; } = new([], null, []);
}

/// <summary>Writes a note's keywords, context and tags.</summary>
public interface INoteEnricher
{
    ValueTask<NoteEnrichment> EnrichAsync(NoteDraft draft, CancellationToken cancellationToken);
}

/// <summary>Decides links and evolution of a new note against its nearest neighbours.</summary>
public interface ILinkDecider
{
    ValueTask<LinkDecision> DecideAsync(NoteSnapshot note, IReadOnlyList<NeighbourNote> neighbours, CancellationToken cancellationToken);
}
