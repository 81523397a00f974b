namespace Agents.Memory.Model;

/// <summary>
/// Who a memory belongs to: always a tenant, and at least one of user, agent, run and team.
/// As a filter, a scope matches every record of the same tenant whose ids equal each id the filter
/// sets (ids the filter leaves null are not constrained), so <c>{user: alice}</c> finds Alice's memories
/// in every run, and <c>{user: alice, run: r1}</c> only those of run r1 (Mem0's semantics).
/// </summary>
public sealed record MemoryScope
{
    /// <summary>The tenant used when none is given.</summary>
    public const string DefaultTenant = "default";

    /// <summary>Longest id accepted for the tenant and each scope id.</summary>
    public const int MaxIdLength = 256;

    public MemoryScope(string tenant = DefaultTenant, string? userId = null, string? agentId = null, string? runId = null, string? teamId = null)
    {
        Tenant = CheckId(tenant, nameof(tenant)) ?? throw new InvalidMemoryScopeException("The scope's tenant must not be null or empty.");
        UserId = CheckId(userId, nameof(userId));
        AgentId = CheckId(agentId, nameof(agentId));
        RunId = CheckId(runId, nameof(runId));
        TeamId = CheckId(teamId, nameof(teamId));
        if (UserId is null && AgentId is null && RunId is null && TeamId is null)
            throw new InvalidMemoryScopeException(
                $"The scope of tenant '{Tenant}' names none of user, agent, run and team; at least one is required, " +
                "so that no memory is written to, searched in or deleted from a whole tenant by accident.");
    }

    public string Tenant { get; }
    public string? UserId { get; }
    public string? AgentId { get; }
    public string? RunId { get; }
    public string? TeamId { get; }

    public static MemoryScope ForUser(string userId, string tenant = DefaultTenant) => new(tenant, userId: userId);
    public static MemoryScope ForAgent(string agentId, string tenant = DefaultTenant) => new(tenant, agentId: agentId);
    public static MemoryScope ForRun(string runId, string tenant = DefaultTenant) => new(tenant, runId: runId);
    public static MemoryScope ForTeam(string teamId, string tenant = DefaultTenant) => new(tenant, teamId: teamId);

    /// <summary>Whether a record of scope <paramref name="other"/> falls inside this scope used as a filter.</summary>
    public bool Contains(MemoryScope other) =>
        string.Equals(Tenant, other.Tenant, StringComparison.Ordinal)
        && (UserId is null || string.Equals(UserId, other.UserId, StringComparison.Ordinal))
        && (AgentId is null || string.Equals(AgentId, other.AgentId, StringComparison.Ordinal))
        && (RunId is null || string.Equals(RunId, other.RunId, StringComparison.Ordinal))
        && (TeamId is null || string.Equals(TeamId, other.TeamId, StringComparison.Ordinal));

    public override string ToString() =>
        $"{Tenant}/{(UserId is null ? "" : "user:" + UserId + " ")}{(AgentId is null ? "" : "agent:" + AgentId + " ")}{(RunId is null ? "" : "run:" + RunId + " ")}{(TeamId is null ? "" : "team:" + TeamId)}".TrimEnd();

    // Ids are opaque, but control characters and surrounding blanks are refused: they are always a
    // caller's bug and make two scopes look equal in logs while being different.
    private static string? CheckId(string? value, string name)
    {
        if (value is null) return null;
        if (value.Length == 0 || string.IsNullOrWhiteSpace(value))
            throw new InvalidMemoryScopeException($"Scope id '{name}' is empty or blank; leave it null instead.");
        if (value.Length > MaxIdLength)
            throw new InvalidMemoryScopeException($"Scope id '{name}' is {value.Length} characters long; at most {MaxIdLength} are allowed.");
        if (value.Trim().Length != value.Length)
            throw new InvalidMemoryScopeException($"Scope id '{name}' ('{value}') has leading or trailing white space.");
        foreach (var c in value)
        {
            if (char.IsControl(c))
                throw new InvalidMemoryScopeException($"Scope id '{name}' contains a control character (U+{(int)c:X4}).");
        }
        return value;
    }
}
