namespace Agents.Client.Api;

/// <summary>The scope ids of a memory call (the tenant comes from the API key, never from the request).
/// At least one is required; as a filter, ids left null are not constrained (Mem0's semantics).</summary>
public sealed record MemoryScopeIds(string? UserId = null, string? AgentId = null, string? RunId = null, string? TeamId = null)
{
    public bool IsEmpty => UserId is null && AgentId is null && RunId is null && TeamId is null;

    public static MemoryScopeIds ForUser(string userId) => new(UserId: userId);
    public static MemoryScopeIds ForTeam(string teamId) => new(TeamId: teamId);
}
