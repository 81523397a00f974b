using System.Collections.Frozen;

namespace Agents.Runtime.Membership;

/// <summary>
/// An immutable snapshot of the cluster at one membership version. Views only move forward: a silo
/// publishes a new view when it reads a higher version.
/// </summary>
public sealed class MembershipView
{
    /// <summary>Before the first read of the table.</summary>
    public static MembershipView Empty { get; } = new(-1, Array.Empty<ClusterMember>());

    public MembershipView(int version, IEnumerable<ClusterMember> members)
        : this(version, members.Select(m => (m, (MembershipEntry?)null))) { }

    internal MembershipView(int version, IEnumerable<MembershipEntry> entries)
        : this(version, entries.Select(e => (ClusterMember.From(e), (MembershipEntry?)e))) { }

    private MembershipView(int version, IEnumerable<(ClusterMember Member, MembershipEntry? Entry)> rows)
    {
        var all = rows.ToArray();
        Version = version;
        Members = all.ToFrozenDictionary(r => r.Member.Silo, r => r.Member);
        ActiveMembers = Members.Values.Where(m => m.Status == SiloStatus.Active).OrderBy(m => m.Silo, SiloAddressOrder.Instance).ToArray();
        ActiveEntries = all.Where(r => r.Member.Status == SiloStatus.Active && r.Entry is not null)
            .Select(r => r.Entry!)
            .OrderBy(e => e.Silo, SiloAddressOrder.Instance)
            .ToArray();
    }

    /// <summary>The membership version this view was read at (-1 for <see cref="Empty"/>).</summary>
    public int Version { get; }

    /// <summary>Every silo in the table, dead ones included.</summary>
    public IReadOnlyDictionary<SiloAddress, ClusterMember> Members { get; }

    /// <summary>Active silos, in a stable order.</summary>
    public IReadOnlyList<ClusterMember> ActiveMembers { get; }

    /// <summary>The membership rows of the active silos as read at this version (same order as
    /// <see cref="ActiveMembers"/>; empty for views built from <see cref="ClusterMember"/>s).</summary>
    public IReadOnlyList<MembershipEntry> ActiveEntries { get; }

    /// <summary>True when <paramref name="silo"/> is gone for good: its row reads Dead, or a newer
    /// generation on its endpoint is in the table. A silo this view does not know is not dead.</summary>
    public bool IsDead(SiloAddress silo)
    {
        if (GetStatus(silo) == SiloStatus.Dead)
            return true;
        foreach (var other in Members.Keys)
        {
            if (other.Generation > silo.Generation && other.Endpoint.Equals(silo.Endpoint))
                return true;
        }
        return false;
    }

    public SiloStatus GetStatus(SiloAddress silo) => Members.TryGetValue(silo, out var member) ? member.Status : SiloStatus.None;

    public bool IsActive(SiloAddress silo) => GetStatus(silo) == SiloStatus.Active;

    /// <summary>Active silos that declare <paramref name="role"/>.</summary>
    public IEnumerable<ClusterMember> ActiveWithRole(string role) => ActiveMembers.Where(m => m.HasRole(role));

    /// <summary>Client gateway endpoints of active silos.</summary>
    public IEnumerable<System.Net.IPEndPoint> Gateways =>
        ActiveMembers.Select(m => m.GatewayEndpoint).OfType<System.Net.IPEndPoint>();

    public override string ToString() =>
        $"v{Version}: " + string.Join(", ", Members.Values.OrderBy(m => m.Silo, SiloAddressOrder.Instance).Select(m => $"{m.Silo} {m.Status}"));
}

/// <summary>A total order on silo addresses (address, port, generation): the probe ring and stable listings.</summary>
public sealed class SiloAddressOrder : IComparer<SiloAddress>
{
    public static SiloAddressOrder Instance { get; } = new();

    public int Compare(SiloAddress? x, SiloAddress? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var bytes = x.Endpoint.Address.GetAddressBytes().AsSpan().SequenceCompareTo(y.Endpoint.Address.GetAddressBytes());
        if (bytes != 0) return bytes;
        var port = x.Endpoint.Port.CompareTo(y.Endpoint.Port);
        return port != 0 ? port : x.Generation.CompareTo(y.Generation);
    }
}
