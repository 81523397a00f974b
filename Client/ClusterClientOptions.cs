using System.Net;

namespace Agents.Client;

/// <summary>How a cluster client finds and talks to gateways.</summary>
public sealed class ClusterClientOptions
{
    public string ClusterId { get; set; } = "agents";
    /// <summary>Gateways to use when no membership table is given (or as a fallback when it lists none).</summary>
    public IReadOnlyList<IPEndPoint> Gateways { get; set; } = [];
    /// <summary>Time-to-live of a request (Orleans: 30 s).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Largest request or response; must not exceed the silos' limit to be useful.</summary>
    public int MaxMessageSize { get; set; } = 4 * 1024 * 1024;
    /// <summary>A gateway whose connection failed is avoided this long.</summary>
    public TimeSpan DeadGatewayQuarantine { get; set; } = TimeSpan.FromSeconds(5);
}
