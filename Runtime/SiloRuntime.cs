using System.Collections.Concurrent;
using Agents.Abstractions;
using Agents.Abstractions.Invocation;
using Agents.Abstractions.Serialization;
using Agents.Runtime.Activation;
using Agents.Runtime.Directory;
using Agents.Runtime.Hosting;
using Agents.Runtime.Membership;
using Agents.Runtime.Messaging;
using Agents.Runtime.Placement;
using Agents.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime;

/// <summary>The parts of one silo, wired together; <see cref="SiloHost"/> is its public face.</summary>
internal sealed class SiloRuntime : IConnectionHandler
{
    private readonly ConcurrentDictionary<SiloAddress, int> _placedOn = new();

    public SiloRuntime(SiloOptions options, ILogger logger, IGrainDirectoryStore directory, IGrainStateStore? stateStore, IClusterMembership membership)
    {
        Options = options;
        Logger = logger;
        StateStore = stateStore;
        Membership = membership;
        Catalog = new Catalog(this);
        Locator = new GrainLocator(this, directory);
        Placement = new PlacementDirector(this);
        Router = new MessageRouter(this);
        Connections = new SiloConnections(this);
        GrainFactory = new GrainFactory(Router);
    }

    public SiloOptions Options { get; }
    public ILogger Logger { get; }
    public IGrainStateStore? StateStore { get; }
    public IClusterMembership Membership { get; }
    public Catalog Catalog { get; }
    public GrainLocator Locator { get; }
    public PlacementDirector Placement { get; }
    public MessageRouter Router { get; }
    public SiloConnections Connections { get; }
    public IGrainFactory GrainFactory { get; }
    public IReadOnlyDictionary<string, GrainClassInfo> Classes { get; set; } = new Dictionary<string, GrainClassInfo>();
    public SiloAddress SiloAddress { get; set; } = null!;
    public ConnectionOptions ConnectionOptions { get; set; } = null!;
    public bool IsShuttingDown { get; set; }

    /// <summary>Activation count used by least-loaded placement: exact for this silo; for others, the
    /// activations this silo has placed there.</summary>
    public int LoadOf(SiloAddress silo) => silo.Equals(SiloAddress) ? Catalog.Count : _placedOn.GetValueOrDefault(silo);

    public void NotePlacement(SiloAddress silo) => _placedOn.AddOrUpdate(silo, 1, static (_, n) => n + 1);

    // ---- IConnectionHandler ----

    public void OnHello(Connection connection)
    {
        if (connection.RemoteKind == PeerKind.Silo) Connections.OnHello(connection);
    }

    public void OnRequest(Connection connection, GrainRequest request) => Router.Route(request);

    public void OnResponse(Connection connection, long correlationId, ref WireReader reader) =>
        Router.OnResponse(connection, correlationId, ref reader);

    public void OnClosed(Connection connection, Exception? error)
    {
        Connections.OnClosed(connection);
        Router.OnConnectionClosed(connection);
    }

    public void OnSilosDied(IReadOnlyCollection<SiloAddress> silos)
    {
        foreach (var silo in silos)
        {
            if (silo.Equals(SiloAddress)) continue;
            Connections.CloseTo(silo);
            _placedOn.TryRemove(silo, out _);
        }
        _ = Locator.OnSilosDiedAsync(silos);
    }
}
