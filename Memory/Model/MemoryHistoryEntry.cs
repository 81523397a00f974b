namespace Agents.Memory.Model;

/// <summary>One change to one record: old and new content, what happened, when, and who did it.
/// Rows outlive the record (a delete leaves its row) until the whole scope is deleted.</summary>
public sealed record MemoryHistoryEntry
{
    public required Guid Id { get; init; }
    public required Guid RecordId { get; init; }
    public required MemoryScope Scope { get; init; }
    public string? OldContent { get; init; }
    public string? NewContent { get; init; }
    public required MemoryEvent Event { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>Who made the change: "user", a pipeline name ("mem0", "a-mem"), an agent id.</summary>
    public required string Actor { get; init; }
    /// <summary>Record version after the change (for a delete: the version deleted).</summary>
    public long Version { get; init; }
}
