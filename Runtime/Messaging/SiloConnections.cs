using System.Collections.Concurrent;
using Agents.Runtime.Membership;

namespace Agents.Runtime.Messaging;

/// <summary>One connection per peer silo, opened on first use. A connection a peer opened to us is
/// used for our requests to it too, so a pair normally shares one connection.</summary>
internal sealed class SiloConnections(SiloRuntime runtime)
{
    private readonly ConcurrentDictionary<SiloAddress, Connection> _bySilo = new();
    private readonly ConcurrentDictionary<Connection, byte> _all = new();

    public Connection Get(SiloAddress silo)
    {
        if (_bySilo.TryGetValue(silo, out var existing) && !existing.IsClosed) return existing;
        lock (_bySilo)
        {
            if (_bySilo.TryGetValue(silo, out existing) && !existing.IsClosed) return existing;
            var created = Connection.Connect(silo.Endpoint, runtime, runtime.ConnectionOptions, silo);
            _bySilo[silo] = created;
            _all[created] = 0;
            return created;
        }
    }

    public void OnAccepted(Connection connection) => _all[connection] = 0;

    /// <summary>An accepted connection turned out to be from a silo: reuse it for our requests.</summary>
    public void OnHello(Connection connection)
    {
        if (connection.RemoteSilo is { } silo)
        {
            lock (_bySilo)
            {
                if (!_bySilo.TryGetValue(silo, out var existing) || existing.IsClosed) _bySilo[silo] = connection;
            }
        }
    }

    public void OnClosed(Connection connection)
    {
        _all.TryRemove(connection, out _);
        if (connection.RemoteSilo is { } silo)
            _bySilo.TryRemove(new KeyValuePair<SiloAddress, Connection>(silo, connection));
    }

    public void CloseTo(SiloAddress silo)
    {
        foreach (var connection in _all.Keys)
            if (silo.Equals(connection.RemoteSilo)) connection.Close(new ConnectionClosedException($"silo {silo} was declared dead"));
    }

    public void CloseAll()
    {
        foreach (var connection in _all.Keys) connection.Close();
    }
}
