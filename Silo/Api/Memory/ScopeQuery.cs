using Agents.Client.Api;
using Microsoft.AspNetCore.Mvc;

namespace Agents.Silo.Api.Memory;

/// <summary>A scope named in the query string.</summary>
public sealed record ScopeQuery(
    [FromQuery(Name = "user_id")] string? UserId,
    [FromQuery(Name = "agent_id")] string? AgentId,
    [FromQuery(Name = "run_id")] string? RunId,
    [FromQuery(Name = "team_id")] string? TeamId)
{
    public MemoryScopeIds Ids => new(UserId, AgentId, RunId, TeamId);
}
