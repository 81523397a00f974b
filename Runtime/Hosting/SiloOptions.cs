using System.Net;

namespace Agents.Runtime.Hosting;

/// <summary>Everything a silo is configured with. Defaults follow Orleans where it has one.</summary>
public sealed class SiloOptions
{
    public string SiloName { get; set; } = Environment.MachineName;
    public string ClusterId { get; set; } = "agents";
    /// <summary>Silo-to-silo endpoint; port 0 picks a free port.</summary>
    public IPEndPoint Endpoint { get; set; } = new(IPAddress.Loopback, 0);
    /// <summary>Client gateway port; 0 = no gateway. -1 = pick a free port.</summary>
    public int GatewayPort { get; set; }
    /// <summary>Roles this silo offers, e.g. <c>gpu</c>, for role-based placement.</summary>
    public IReadOnlyList<string> Roles { get; set; } = [];
    /// <summary>Time-to-live of a request (Orleans: 30 s). Expired requests are dropped, not run.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Most requests one activation may hold (queued + running) before rejecting with
    /// Overloaded; 0 = no limit.</summary>
    public int MaxActivationQueueLength { get; set; } = 10_000;
    /// <summary>Idle time after which an activation is collected, unless its class says otherwise (Orleans: 15 min).</summary>
    public TimeSpan DefaultCollectionAge { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How often expired requests are swept from queues and pending-call tables.</summary>
    public TimeSpan TimeoutSweepInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Largest message (header + arguments or result) sent or accepted.</summary>
    public int MaxMessageSize { get; set; } = 4 * 1024 * 1024;
    /// <summary>Deactivating every activation at shutdown waits at most this long.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
