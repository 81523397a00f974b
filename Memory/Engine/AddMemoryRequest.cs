using Agents.Memory.Model;
using Agents.Memory.Pipelines;

namespace Agents.Memory.Engine;

/// <summary>
/// New input for the memory: messages observed together at <see cref="ObservedAt"/> (imported history
/// keeps its real dates), the ids of where they came from, and optionally earlier turns that are
/// context only (not memorised again).
/// </summary>
public sealed record AddMemoryRequest(MemoryScope Scope, IReadOnlyList<ConversationTurn> Messages, DateTimeOffset ObservedAt)
{
    public IReadOnlyList<string> Sources { get; init; } = [];
    public IReadOnlyList<ConversationTurn> Preceding { get; init; } = [];

    /// <summary>Makes the add idempotent: another add to the scope with the same key stores nothing
    /// and returns the first one's result (<see cref="AddIdempotency"/>). Null: every add is new.</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>
/// What an add stored: the raw input's id (the episode), the ids its notes will have (one per
/// message, fixed now, written by the background work), and the id of that pending work.
/// </summary>
/// <paramref name="Repeated"/>: the add's idempotency key was already used, and nothing new was stored.
public sealed record AddMemoryResult(Guid EpisodeId, IReadOnlyList<Guid> NoteIds, Guid JobId, bool Repeated = false);

/// <summary>The background work for an input was given up after its retries; the input itself is kept.</summary>
public sealed class MemoryIngestFailedException(Guid episodeId, string error)
    : MemoryPipelineException($"Processing of input {episodeId} failed for good: {error}. The raw input is kept.")
{
    public Guid EpisodeId { get; } = episodeId;
}
