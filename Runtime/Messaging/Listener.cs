using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Messaging;

/// <summary>Accepts TCP connections on one endpoint and hands each to <paramref name="accept"/>.</summary>
internal sealed class Listener(IPEndPoint endpoint, Action<Socket> accept, ILogger logger) : IDisposable
{
    private readonly Socket _socket = new(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stopping = new();

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public void Start()
    {
        _socket.Bind(endpoint);
        _socket.Listen(512);
        _ = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException exception)
            {
                logger.LogWarning(exception, "Accepting on {Endpoint} failed", endpoint);
                continue;
            }
            accept(accepted);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _socket.Dispose();
    }
}
