namespace Agents.Abstractions.Memory;

/// <summary>One message of new input: who said it, what, and the id of where it came from.</summary>
public sealed record TurnInput(string? Speaker, string Text, string? SourceId = null);

/// <summary>New input for a memory scope, observed together at <see cref="ObservedAt"/>.</summary>
public sealed record MemoryInput(IReadOnlyList<TurnInput> Messages, DateTimeOffset ObservedAt);

/// <summary>What an add stored durably: the raw input's id, the ids its notes will have, and the pending work's id.</summary>
public sealed record MemoryAddReceipt(Guid EpisodeId, IReadOnlyList<Guid> NoteIds, Guid JobId);

/// <summary>A search: text, how many, optional tag filter, point in time, and kinds (note, fact, entity...).</summary>
public sealed record MemoryQuery(string Text, int TopK = 10, IReadOnlyList<string>? Tags = null, DateTimeOffset? AsOf = null, IReadOnlyList<string>? Kinds = null);

/// <summary>A memory as returned to callers, with the ids of the turns it came from.</summary>
public sealed record MemoryHit(
    Guid Id, string Kind, string Content, string? Context, IReadOnlyList<string> Keywords, IReadOnlyList<string> Tags,
    IReadOnlyList<string> Sources, double Score, DateTimeOffset ObservedAt, DateTimeOffset? ValidAt, DateTimeOffset? InvalidAt);

/// <summary>One change in a memory's history.</summary>
public sealed record MemoryChange(DateTimeOffset At, string Event, string? OldContent, string? NewContent, string Actor);

/// <summary>What erasing a scope removed, row by row.</summary>
public sealed record ScopeErasure(long Records, long Embeddings, long Edges, long History, long Jobs);
