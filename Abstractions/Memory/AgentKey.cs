namespace Agents.Abstractions.Memory;

/// <summary>The key of an <see cref="IAgentGrain"/>: tenant, team and agent name.</summary>
public sealed record AgentKey(string Tenant, string Team, string Agent)
{
    public override string ToString() => $"{Escape(Tenant)}/{Escape(Team)}/{Escape(Agent)}";

    public static AgentKey Parse(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 3 || parts.Any(string.IsNullOrEmpty))
            throw new FormatException($"'{key}' is not an agent key of the form tenant/team/agent.");
        return new AgentKey(Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]), Uri.UnescapeDataString(parts[2]));
    }

    /// <summary>The agent's own memory. Its id is the team and agent names, each escaped, so no two
    /// agents share it (team "a/b" with agent "c" is not team "a" with agent "b/c"), and the team scope
    /// does not contain it.</summary>
    public ScopeRef AgentScope => ScopeRef.ForAgent($"{Escape(Team)}/{Escape(Agent)}", Tenant);
    public ScopeRef TeamScope => ScopeRef.ForTeam(Team, Tenant);

    private static string Escape(string part) => Uri.EscapeDataString(part);
}
