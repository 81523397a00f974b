namespace Agents.Runtime.Membership;

/// <summary>A silo as the rest of the runtime sees it: identity, status, roles and gateway.</summary>
public sealed record ClusterMember(
    SiloAddress Silo,
    SiloStatus Status,
    string SiloName,
    string HostName,
    IReadOnlyList<string> Roles,
    int GatewayPort,
    DateTimeOffset StartTime)
{
    public bool HasRole(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>The client gateway endpoint, or null when the silo is no gateway.</summary>
    public System.Net.IPEndPoint? GatewayEndpoint =>
        GatewayPort == 0 ? null : new System.Net.IPEndPoint(Silo.Endpoint.Address, GatewayPort);

    internal static ClusterMember From(MembershipEntry entry) =>
        new(entry.Silo, entry.Status, entry.SiloName, entry.HostName, entry.Roles, entry.GatewayPort, entry.StartTime);
}
