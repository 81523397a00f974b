using Agents.Memory.Model;

namespace Agents.Memory.Pipelines;

/// <summary>One message of an ingested batch and the id its A-MEM note has (fixed at add time).</summary>
public sealed record IngestMessage(Guid NoteId, string? Speaker, string Content, string? SourceId = null);

/// <summary>
/// What one add handed to the pipelines: the raw input (episode) id, the scope, the observation time,
/// the messages with their note ids, earlier turns given only as context, and the caller's source ids.
/// </summary>
public sealed record IngestBatch(
    Guid EpisodeId,
    MemoryScope Scope,
    DateTimeOffset ObservedAt,
    IReadOnlyList<IngestMessage> Messages,
    IReadOnlyList<ConversationTurn> Preceding,
    IReadOnlyList<string> Sources)
{
    public IReadOnlyList<ConversationTurn> Turns => Messages.Select(static m => new ConversationTurn(m.Speaker, m.Content) { SourceId = m.SourceId }).ToList();

    /// <summary>The sources of a memory made from message <paramref name="index"/> alone: its turn id (or the add's sources), its note, the episode.</summary>
    public IReadOnlyList<string> MessageSources(int index, bool withNote)
    {
        var m = Messages[index];
        var list = new List<string>();
        if (m.SourceId is not null) list.Add(m.SourceId);
        else list.AddRange(Sources);
        if (withNote) list.Add(m.NoteId.ToString());
        list.Add(EpisodeId.ToString());
        return list.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The source references of everything derived from this batch: the caller's ids, then the episode.</summary>
    public IReadOnlyList<string> DerivedSources(IEnumerable<Guid>? noteIds = null)
    {
        var list = new List<string>(Sources);
        foreach (var m in Messages) if (m.SourceId is not null && !list.Contains(m.SourceId)) list.Add(m.SourceId);
        if (noteIds is not null) list.AddRange(noteIds.Select(static id => id.ToString()));
        list.Add(EpisodeId.ToString());
        return list.Distinct(StringComparer.Ordinal).ToList();
    }
}
