namespace Agents.Client;

/// <summary>How a client finds an Agents cluster (section <c>Agents:Client</c>): fixed gateways, or the
/// cluster's membership table on PostgreSQL (every live silo's gateway, kept current).</summary>
public sealed class AgentsClientOptions
{
    public const string Section = "Agents:Client";

    public string ClusterId { get; set; } = "agents";
    public string ServiceId { get; set; } = "agents";

    /// <summary>Gateways as <c>host:port</c>; used when <see cref="Postgres"/> is not set. Default: the
    /// embedded silo's gateway on this machine.</summary>
    public List<string> Gateways { get; set; } = ["127.0.0.1:30000"];

    /// <summary>The cluster's PostgreSQL connection string: gateways come from its membership table.</summary>
    public string? Postgres { get; set; }

    /// <summary>How long a grain call may take before it fails with a time-out.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
