namespace Agents.Client.Api;

/// <summary>One change of a memory: when, what (Add, Update, Delete, Enrich...), old and new content, by whom.</summary>
public sealed record MemoryHistoryEntry(DateTimeOffset At, string Event, string? OldContent, string? NewContent, string Actor);
