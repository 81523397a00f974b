using System.Collections.Concurrent;
using System.Net;
using Agents.Abstractions;
using Agents.Abstractions.Invocation;
using Agents.Abstractions.Serialization;
using Agents.Runtime;
using Agents.Runtime.Membership;
using Agents.Runtime.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agents.Client;

/// <summary>
/// Calls grains from outside the cluster through a gateway silo. Gateways come from the membership
/// table (Active silos with a gateway port) or a fixed list. When the gateway's connection breaks,
/// calls in flight on it fail with <see cref="SiloUnavailableException"/> (they may have run) and the
/// next call goes through another gateway.
/// </summary>
public sealed class ClusterClient : IGrainFactory, IAsyncDisposable
{
    private const int MaxRetries = 3;
    private readonly ClusterClientOptions _options;
    private readonly IMembershipTable? _table;
    private readonly Handler _handler;
    private readonly GrainFactory _factory;
    private readonly PendingCalls _pending = new();
    private readonly ConcurrentDictionary<IPEndPoint, long> _quarantine = new();
    private readonly Lock _gate = new();
    private readonly Timer _sweeper;
    private IReadOnlyList<IPEndPoint> _gateways = [];
    private Connection? _connection;
    private long _nextCorrelationId;
    private int _disposed;

    public ClusterClient(ClusterClientOptions options, IMembershipTable? membershipTable = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (membershipTable is null && options.Gateways.Count == 0)
            throw new ArgumentException("A cluster client needs a membership table or at least one gateway address.");
        _options = options;
        _table = membershipTable;
        _handler = new Handler(this, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ClusterClient>());
        _factory = new GrainFactory(_handler);
        _gateways = options.Gateways;
        _sweeper = new Timer(_ => SweepExpired(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    /// <summary>The gateway currently in use, if connected.</summary>
    public IPEndPoint? CurrentGateway { get; private set; }

    /// <summary>Reads the gateway list and connects to one that answers a ping.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        await RefreshGatewaysAsync(cancellationToken);
        Exception? last = null;
        foreach (var gateway in _gateways.OrderBy(_ => Random.Shared.Next()))
        {
            try
            {
                var connection = Use(gateway);
                await connection.PingAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                last = exception;
                Quarantine(gateway);
            }
        }
        throw new SiloUnavailableException($"No gateway of cluster '{_options.ClusterId}' answered (tried {_gateways.Count}).", last);
    }

    private async Task RefreshGatewaysAsync(CancellationToken cancellationToken)
    {
        if (_table is null) return;
        var data = await _table.ReadAllAsync(cancellationToken);
        var fromTable = data.Members
            .Where(m => m.Entry.Status == SiloStatus.Active && m.Entry.GatewayPort > 0)
            .Select(m => new IPEndPoint(m.Entry.Silo.Endpoint.Address, m.Entry.GatewayPort))
            .ToArray();
        _gateways = fromTable.Length > 0 ? fromTable : _options.Gateways;
    }

    public TGrain Get<TGrain>(string key) where TGrain : IGrainWithStringKey => _factory.Get<TGrain>(key);

    private Connection Use(IPEndPoint gateway)
    {
        lock (_gate)
        {
            if (_connection is { IsClosed: false } current && Equals(CurrentGateway, gateway)) return current;
            _connection?.Close();
            _connection = Connection.Connect(gateway, _handler,
                new ConnectionOptions(PeerKind.Client, _options.ClusterId, null, _options.MaxMessageSize), expectedSilo: null);
            CurrentGateway = gateway;
            return _connection;
        }
    }

    /// <summary>The live gateway connection, or a new one to a gateway not recently failed.</summary>
    private Connection Current()
    {
        lock (_gate)
        {
            if (_connection is { IsClosed: false } current) return current;
            var now = Environment.TickCount64;
            var candidates = _gateways.Where(g => !_quarantine.TryGetValue(g, out var until) || until < now).ToArray();
            if (candidates.Length == 0) candidates = [.. _gateways];
            if (candidates.Length == 0) throw new SiloUnavailableException($"No gateway of cluster '{_options.ClusterId}' is known.");
            if (_table is not null) _ = RefreshGatewaysQuietlyAsync();
            return Use(candidates[Random.Shared.Next(candidates.Length)]);
        }
    }

    private async Task RefreshGatewaysQuietlyAsync()
    {
        try { await RefreshGatewaysAsync(CancellationToken.None); }
        catch (Exception exception) { _handler.Logger.LogWarning(exception, "Reading gateways from the membership table failed"); }
    }

    private void Quarantine(IPEndPoint gateway) =>
        _quarantine[gateway] = Environment.TickCount64 + (long)_options.DeadGatewayQuarantine.TotalMilliseconds;

    private void Send(GrainRequest request)
    {
        if (request.DeadlineMs == 0)
        {
            request.DeadlineMs = Environment.TickCount64 + (long)_options.ResponseTimeout.TotalMilliseconds;
            request.CallChainId = Random.Shared.NextInt64(1, long.MaxValue);
            // RequestContext.Set in the client process flows to the grain as it does inside a silo.
            request.RequestContext = CallContext.Current?.Values;
        }
        Connection connection;
        try
        {
            connection = Current();
        }
        catch (SiloUnavailableException exception)
        {
            request.CompleteWithRuntimeError(RejectionKind.Transient, exception);
            return;
        }
        request.CorrelationId = Interlocked.Increment(ref _nextCorrelationId);
        request.SentTo = connection;
        _pending.Add(request);
        if (!connection.TrySendRequest(request) && _pending.TryRemove(request.CorrelationId, out _))
        {
            if (++request.ForwardCount <= MaxRetries) Send(request);
            else request.CompleteWithRuntimeError(RejectionKind.Transient, new SiloUnavailableException("No gateway connection could take the request."));
        }
    }

    private void OnResponse(Connection connection, long correlationId, ref WireReader reader)
    {
        if (!_pending.TryRemove(correlationId, out var request)) return;
        if (!MessageCodec.TryReadRejection(request, ref reader, out var kind, out var error)) return;
        if (kind is RejectionKind.Transient or RejectionKind.CacheInvalidation or RejectionKind.GatewayTooBusy && ++request.ForwardCount <= MaxRetries)
        {
            Send(request);
            return;
        }
        request.CompleteWithRuntimeError(kind, error!);
    }

    private void OnClosed(Connection connection)
    {
        if (CurrentGateway is { } gateway && ReferenceEquals(connection, _connection)) Quarantine(gateway);
        foreach (var request in _pending.TakeSentTo(connection))
        {
            request.CompleteWithRuntimeError(RejectionKind.Transient, new SiloUnavailableException(
                $"Gateway {connection.RemoteSilo?.ToString() ?? CurrentGateway?.ToString()} went away before {request.MethodName} on {request.Target} answered; it may or may not have run."));
        }
    }

    private void SweepExpired() => _pending.SweepExpired(_options.ResponseTimeout);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _sweeper.DisposeAsync();
        lock (_gate) _connection?.Close();
    }

    private sealed class Handler(ClusterClient client, ILogger logger) : IConnectionHandler, IGrainCallInvoker
    {
        public ILogger Logger { get; } = logger;
        public void Send(GrainRequest request) => client.Send(request);
        public void OnHello(Connection connection) { }
        public void OnRequest(Connection connection, GrainRequest request) =>
            connection.SendRejection(request.ReplyCorrelationId, RejectionKind.Unrecoverable, new UnknownGrainTypeException("A cluster client hosts no grains."));
        public void OnResponse(Connection connection, long correlationId, ref WireReader reader) => client.OnResponse(connection, correlationId, ref reader);
        public void OnClosed(Connection connection, Exception? error) => client.OnClosed(connection);
    }
}
