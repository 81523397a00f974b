namespace Agents.Abstractions.Memory;

/// <summary>
/// Whose memory a call is about, as carried over the wire: a tenant and at least one of user, agent,
/// run and team. <see cref="ToGrainKey"/> gives the key of the memory grain that owns the scope.
/// </summary>
[GenerateSerializer, Immutable, Alias("Agents.ScopeRef")]
public sealed record ScopeRef(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string? UserId = null,
    [property: Id(2)] string? AgentId = null,
    [property: Id(3)] string? RunId = null,
    [property: Id(4)] string? TeamId = null)
{
    public static ScopeRef ForUser(string userId, string tenant = "default") => new(tenant, UserId: userId);
    public static ScopeRef ForAgent(string agentId, string tenant = "default") => new(tenant, AgentId: agentId);
    public static ScopeRef ForTeam(string teamId, string tenant = "default") => new(tenant, TeamId: teamId);

    /// <summary>A stable key: each part escaped, so no id can forge another scope's key.</summary>
    public string ToGrainKey() =>
        string.Join(';', Part("t", Tenant), Part("u", UserId), Part("a", AgentId), Part("r", RunId), Part("g", TeamId));

    public static ScopeRef FromGrainKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split(';');
        if (parts.Length != 5) throw new FormatException($"'{key}' is not a memory scope key (t=..;u=..;a=..;r=..;g=..).");
        return new ScopeRef(Value(parts[0], "t") ?? "", Value(parts[1], "u"), Value(parts[2], "a"), Value(parts[3], "r"), Value(parts[4], "g"));
    }

    private static string Part(string name, string? value) => value is null ? name + "-" : name + "=" + Uri.EscapeDataString(value);

    private static string? Value(string part, string name)
    {
        if (part == name + "-") return null;
        if (!part.StartsWith(name + "=", StringComparison.Ordinal)) throw new FormatException($"'{part}' is not the '{name}' part of a memory scope key.");
        return Uri.UnescapeDataString(part[(name.Length + 1)..]);
    }
}
