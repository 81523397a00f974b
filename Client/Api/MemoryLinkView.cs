namespace Agents.Client.Api;

/// <summary>An edge between two memories of a graph: its type, weight, the fact it states, and when it held.</summary>
public sealed record MemoryLinkView(Guid Id, Guid From, Guid To, string Type, double Weight, string? Fact, DateTimeOffset? ValidAt, DateTimeOffset? InvalidAt);
