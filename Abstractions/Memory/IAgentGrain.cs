namespace Agents.Abstractions.Memory;

/// <summary>
/// An agent of a team (key: <c>tenant/team/agent</c>). It keeps its own memory and writes what it
/// shares to its team's memory; recall searches both.
/// </summary>
public interface IAgentGrain : IGrainWithStringKey
{
    /// <summary>Stores a message the agent saw or said (in its own memory, and in the team's when
    /// <paramref name="shareWithTeam"/>).</summary>
    Task<MemoryAddReceipt> RememberAsync(TurnInput message, DateTimeOffset observedAt, bool shareWithTeam);

    /// <summary>The agent's and its team's memories most relevant to <paramref name="query"/>, fused.</summary>
    [ReadOnly] Task<IReadOnlyList<MemoryHit>> RecallAsync(string query, int topK);

    /// <summary>Waits for the agent's and team's pending memory work.</summary>
    [ReadOnly] Task WaitForIdleAsync();
}
