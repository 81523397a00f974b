namespace Agents.Client.Api;

/// <summary>A memory's changes, oldest first.</summary>
public sealed record MemoryHistory(Guid MemoryId, IReadOnlyList<MemoryHistoryEntry> Results);
