namespace Agents.Runtime.Membership;

/// <summary>What this silo writes into its membership row.</summary>
public sealed record LocalSiloDetails
{
    public required SiloAddress Silo { get; init; }
    public required string SiloName { get; init; }
    public string HostName { get; init; } = Environment.MachineName;
    /// <summary>Client gateway port, 0 when this silo is no gateway.</summary>
    public int GatewayPort { get; init; }
    /// <summary>Roles placement may require (e.g. <c>gpu</c>).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Silo, nameof(Silo));
        if (string.IsNullOrWhiteSpace(SiloName))
            throw new ArgumentException($"Silo {Silo} needs a name.", nameof(SiloName));
        if (string.IsNullOrWhiteSpace(HostName))
            throw new ArgumentException($"Silo {Silo} needs a host name.", nameof(HostName));
        if (GatewayPort is < 0 or > 65535)
            throw new ArgumentException($"Gateway port {GatewayPort} of silo {Silo} is outside 0..65535.", nameof(GatewayPort));
        foreach (var role in Roles)
        {
            if (string.IsNullOrWhiteSpace(role))
                throw new ArgumentException($"Silo {Silo} declares an empty role.", nameof(Roles));
        }
    }
}
