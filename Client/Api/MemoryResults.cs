namespace Agents.Client.Api;

/// <summary>A list of memories; <see cref="Count"/> is the whole list's size when paged, else the results'.</summary>
public sealed record MemoryResults(IReadOnlyList<MemoryView> Results, long Count);
