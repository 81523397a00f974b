namespace Agents.Client.Api;

/// <summary>A scope's notes, facts and entities and the links among them, as at <see cref="AsOf"/>
/// (now when null). <see cref="Truncated"/>: the scope holds more than the limit (the newest are shown).</summary>
public sealed record MemoryGraphView(IReadOnlyList<MemoryView> Nodes, IReadOnlyList<MemoryLinkView> Links, DateTimeOffset? AsOf, bool Truncated);
