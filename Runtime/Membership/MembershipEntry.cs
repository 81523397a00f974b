namespace Agents.Runtime.Membership;

/// <summary>One suspicion vote: which silo suspected, and when (votes expire).</summary>
public sealed record SuspectVote(SiloAddress Suspecter, DateTimeOffset At);

/// <summary>A silo's row in the membership table.</summary>
public sealed record MembershipEntry
{
    public required SiloAddress Silo { get; init; }
    public required SiloStatus Status { get; init; }
    public required string SiloName { get; init; }
    public required string HostName { get; init; }
    /// <summary>Client gateway port, 0 when the silo is no gateway.</summary>
    public int GatewayPort { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = [];
    public IReadOnlyList<SuspectVote> SuspectTimes { get; init; } = [];
    public required DateTimeOffset StartTime { get; init; }
    public required DateTimeOffset IAmAliveTime { get; init; }
}
