using Agents.Abstractions.Memory;

namespace Agents.Abstractions.Teams;

/// <summary>The key of a team's grain: tenant and team, escaped. The team's shared memory is <see cref="Scope"/>.</summary>
public sealed record TeamKey(string Tenant, string Team)
{
    public override string ToString() => $"{Uri.EscapeDataString(Tenant)}/{Uri.EscapeDataString(Team)}";

    public static TeamKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split('/');
        if (parts.Length != 2 || parts.Any(string.IsNullOrEmpty))
            throw new FormatException($"'{key}' is not a team key of the form tenant/team.");
        return new TeamKey(Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]));
    }

    public ScopeRef Scope => ScopeRef.ForTeam(Team, Tenant);
}
