namespace Agents.Client.Api;

/// <summary>A hybrid search of a scope: the query, how many (1 to 1000), only memories carrying every
/// tag, of these kinds (note, fact, entity, episode, insight...), as of a point in time.</summary>
public sealed record SearchMemoryRequest
{
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? RunId { get; init; }
    public string? TeamId { get; init; }
    public string? Query { get; init; }
    public int TopK { get; init; } = 10;
    public IReadOnlyList<string>? Tags { get; init; }
    public IReadOnlyList<string>? Kinds { get; init; }
    public DateTimeOffset? AsOf { get; init; }

    public MemoryScopeIds Scope => new(UserId, AgentId, RunId, TeamId);
}
