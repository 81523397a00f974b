namespace Agents.Client.Api;

/// <summary>A memory as the API shows it: content and enrichment, its exact scope, metadata, both
/// time axes (world: valid/invalid; system: created/updated/expired) and version. <see cref="Score"/>:
/// search relevance (1 outside a search).</summary>
public sealed record MemoryView
{
    public Guid Id { get; init; }
    public string Kind { get; init; } = "";
    public string Content { get; init; } = "";
    public string? Context { get; init; }
    public IReadOnlyList<string> Keywords { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string> Sources { get; init; } = [];
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public double Score { get; init; }
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? RunId { get; init; }
    public string? TeamId { get; init; }
    public DateTimeOffset ObservedAt { get; init; }
    public DateTimeOffset? ValidAt { get; init; }
    public DateTimeOffset? InvalidAt { get; init; }
    public DateTimeOffset? ExpiredAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public long Version { get; init; }
}
