using System.Net;
using Agents.Abstractions;
using Agents.Runtime.Membership;
using Agents.Runtime.Messaging;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Hosting;

/// <summary>
/// A running silo: listens for silos (and, with a gateway port, for clients), joins the cluster, hosts
/// activations. <see cref="StopAsync"/> is graceful (stop placement here, deactivate everything so
/// grains re-activate elsewhere, leave); <see cref="Kill"/> drops everything at once, as a crash would.
/// </summary>
public sealed class SiloHost : IAsyncDisposable
{
    private readonly SiloRuntime _runtime;
    private readonly IServiceProvider _services;
    private Listener? _listener;
    private Listener? _gateway;
    private Timer? _sweeper;
    private Timer? _collector;
    private int _state; // 0 new, 1 started, 2 stopped

    internal SiloHost(SiloRuntime runtime, IServiceProvider services)
    {
        _runtime = runtime;
        _services = services;
    }

    public static SiloBuilder CreateBuilder() => new();

    public string Name => _runtime.Options.SiloName;
    public SiloAddress Address => _runtime.SiloAddress ?? throw new InvalidOperationException("The silo has not started.");
    /// <summary>Where clients connect; null when the silo is no gateway.</summary>
    public IPEndPoint? GatewayEndpoint => _gateway?.LocalEndPoint;
    public IGrainFactory GrainFactory => _runtime.GrainFactory;
    public IServiceProvider Services => _services;
    public int ActivationCount => _runtime.Catalog.Count;
    public SiloOptions Options => _runtime.Options;
    /// <summary>The active silos as this silo currently sees them.</summary>
    public IReadOnlyList<ClusterMember> ActiveSilos => _runtime.Membership.ActiveSilos;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) throw new InvalidOperationException($"Silo {Name} was already started.");
        var options = _runtime.Options;
        _listener = new Listener(options.Endpoint, Accept, _runtime.Logger);
        _listener.Start();
        var endpoint = _listener.LocalEndPoint;
        if (endpoint.Address.Equals(IPAddress.Any)) endpoint = new IPEndPoint(IPAddress.Loopback, endpoint.Port);
        _runtime.SiloAddress = new SiloAddress(endpoint, SiloGeneration.Next());
        _runtime.ConnectionOptions = new ConnectionOptions(PeerKind.Silo, options.ClusterId, _runtime.SiloAddress, options.MaxMessageSize);
        if (options.GatewayPort != 0)
        {
            _gateway = new Listener(new IPEndPoint(options.Endpoint.Address, Math.Max(0, options.GatewayPort)), Accept, _runtime.Logger);
            _gateway.Start();
        }
        _sweeper = new Timer(_ => { _runtime.Router.SweepExpired(); _runtime.Catalog.SweepExpired(); }, null, options.TimeoutSweepInterval, options.TimeoutSweepInterval);
        _collector = new Timer(_ => _runtime.Catalog.CollectIdle(), null, options.CollectionQuantum, options.CollectionQuantum);
        _runtime.Membership.SilosDied += _runtime.OnSilosDied;
        await _runtime.Membership.JoinAsync(new LocalSiloDetails
        {
            Silo = _runtime.SiloAddress,
            SiloName = options.SiloName,
            GatewayPort = _gateway?.LocalEndPoint.Port ?? 0,
            Roles = options.Roles,
        }, cancellationToken);
        // Declared dead by the others (e.g. after a long pause): stop at once, as Orleans does.
        _runtime.Membership.StopRequested.Register(() =>
        {
            _runtime.Logger.LogError("Silo {Name} was declared dead by the cluster; stopping", Name);
            Kill();
        });
        _runtime.Logger.LogInformation("Silo {Name} started at {Address} (gateway {Gateway}, roles [{Roles}])",
            Name, _runtime.SiloAddress, GatewayEndpoint?.ToString() ?? "none", string.Join(",", options.Roles));
    }

    // Silos and clients speak the same protocol; the Hello frame says which one connected.
    private void Accept(System.Net.Sockets.Socket socket) =>
        _runtime.Connections.OnAccepted(Connection.Accept(socket, _runtime, _runtime.ConnectionOptions));

    /// <summary>Graceful shutdown: no new activations here, every activation deactivated (so it
    /// re-activates elsewhere on its next call), then the silo leaves the cluster.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1) return;
        _runtime.IsShuttingDown = true;
        _runtime.Logger.LogInformation("Silo {Name} shutting down ({Count} activations)", Name, ActivationCount);
        try
        {
            await _runtime.Membership.BeginLeaveAsync(cancellationToken);
            await _runtime.Catalog.DeactivateAllAsync(_runtime.Options.ShutdownTimeout);
            await _runtime.Membership.LeaveAsync(cancellationToken);
        }
        finally
        {
            StopNetworking();
        }
    }

    /// <summary>Crash: closes every socket and stops all timers without deactivating or telling the
    /// cluster anything (failure detection has to notice).</summary>
    public void Kill()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1) return;
        _runtime.IsShuttingDown = true;
        // To the cluster this is a crash: membership loops stop without writing; others vote it dead.
        if (_runtime.Membership is TableClusterMembership table) _ = table.AbandonAsync();
        StopNetworking();
    }

    private void StopNetworking()
    {
        _runtime.Membership.SilosDied -= _runtime.OnSilosDied;
        _sweeper?.Dispose();
        _collector?.Dispose();
        _listener?.Dispose();
        _gateway?.Dispose();
        _runtime.Connections.CloseAll();
    }

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) == 1) await StopAsync();
        if (_services is IAsyncDisposable disposable) await disposable.DisposeAsync();
    }
}
