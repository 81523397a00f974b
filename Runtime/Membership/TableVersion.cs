namespace Agents.Runtime.Membership;

/// <summary>The cluster's membership version and its ETag. Every membership change is a
/// compare-and-swap that bumps it; heartbeats do not.</summary>
public sealed record TableVersion(int Version, string ETag)
{
    public TableVersion Next() => this with { Version = Version + 1 };
}

/// <summary>A consistent snapshot: the version row plus each silo row with its own ETag.</summary>
public sealed record MembershipTableData(TableVersion Version, IReadOnlyList<(MembershipEntry Entry, string ETag)> Members);
