using System.Net;
using System.Net.Sockets;

namespace Agents.Grains.Hosting;

/// <summary>A silo's identity and endpoints (section <c>Agents:Silo</c>, e.g. <c>Agents__Silo__Port</c>).</summary>
public sealed class AgentsSiloOptions
{
    public const string Section = "Agents:Silo";

    public string Name { get; set; } = Environment.MachineName;
    public string ClusterId { get; set; } = "agents";
    public string ServiceId { get; set; } = "agents";
    /// <summary>The address other silos and clients reach this silo at: an IP or a host name (resolved
    /// at start, as in compose or Kubernetes DNS). Default: loopback.</summary>
    public string? Address { get; set; }
    /// <summary>Silo-to-silo port.</summary>
    public int Port { get; set; } = 11111;
    /// <summary>Client gateway port (the CLI's <c>--gateway</c>).</summary>
    public int GatewayPort { get; set; } = 30000;
    /// <summary>Without PostgreSQL: the silo endpoint (<c>host:port</c>) of the cluster's first silo, which
    /// keeps the membership; unset, this silo is that first silo. Lets a few processes on one machine
    /// form a cluster with no database.</summary>
    public string? PrimarySiloEndpoint { get; set; }
    /// <summary>Roles this silo declares, e.g. <c>gpu</c> for the inference pool; comma-separated in the environment.</summary>
    public string Roles { get; set; } = "";

    public IReadOnlyList<string> RoleList => Roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public IPAddress ResolveAddress()
    {
        if (string.IsNullOrWhiteSpace(Address)) return IPAddress.Loopback;
        if (IPAddress.TryParse(Address, out var ip)) return ip;
        return Dns.GetHostAddresses(Address).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? throw new InvalidOperationException($"Agents:Silo:Address '{Address}' does not resolve to an IPv4 address.");
    }

    public IPEndPoint? ResolvePrimarySiloEndpoint()
    {
        if (string.IsNullOrWhiteSpace(PrimarySiloEndpoint)) return null;
        var colon = PrimarySiloEndpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(PrimarySiloEndpoint[(colon + 1)..], out var port) || port is < 1 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(PrimarySiloEndpoint), PrimarySiloEndpoint, "Agents:Silo:PrimarySiloEndpoint must be host:port.");
        var host = PrimarySiloEndpoint[..colon];
        var address = IPAddress.TryParse(host, out var ip) ? ip
            : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
              ?? throw new InvalidOperationException($"Agents:Silo:PrimarySiloEndpoint host '{host}' does not resolve to an IPv4 address.");
        return new IPEndPoint(address, port);
    }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentOutOfRangeException(nameof(Name), "Agents:Silo:Name must not be empty.");
        if (string.IsNullOrWhiteSpace(ClusterId)) throw new ArgumentOutOfRangeException(nameof(ClusterId), "Agents:Silo:ClusterId must not be empty.");
        if (string.IsNullOrWhiteSpace(ServiceId)) throw new ArgumentOutOfRangeException(nameof(ServiceId), "Agents:Silo:ServiceId must not be empty.");
        if (Port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "Agents:Silo:Port must be a TCP port (1-65535).");
        if (GatewayPort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(GatewayPort), GatewayPort, "Agents:Silo:GatewayPort must be a TCP port (0-65535; 0: no gateway).");
        if (GatewayPort == Port) throw new ArgumentOutOfRangeException(nameof(GatewayPort), GatewayPort, "Agents:Silo:GatewayPort must differ from Agents:Silo:Port.");
    }
}
