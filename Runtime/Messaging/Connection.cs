using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Agents.Abstractions;
using Agents.Abstractions.Invocation;
using Agents.Abstractions.Serialization;
using Agents.Runtime.Membership;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Messaging;

/// <summary>
/// One TCP connection carrying length-prefixed frames (see <see cref="FrameType"/>) both ways, over
/// System.IO.Pipelines. Senders on any thread append to an outbox; a single writer loop encodes
/// whatever has accumulated into the pipe and flushes once per batch, so many small messages share
/// one system call. A single reader loop decodes frames and hands them to the handler.
/// Messages over the size limit are refused at the sender with a clear error.
/// </summary>
internal sealed class Connection : IResponseSink
{
    private readonly IConnectionHandler _handler;
    private readonly ConnectionOptions _options;
    private readonly Func<CancellationToken, ValueTask<Socket>> _open;
    private readonly Channel<Outgoing> _outbox = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly CancellationTokenSource _closing = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _pings = new();
    private Socket? _socket;
    private int _closed;
    private long _nextPingId;

    private Connection(IConnectionHandler handler, ConnectionOptions options, Func<CancellationToken, ValueTask<Socket>> open, string description)
    {
        _handler = handler;
        _options = options;
        _open = open;
        Description = description;
    }

    /// <summary>An outgoing connection to <paramref name="endpoint"/>; usable (messages queue) at once.</summary>
    public static Connection Connect(System.Net.IPEndPoint endpoint, IConnectionHandler handler, ConnectionOptions options, SiloAddress? expectedSilo)
    {
        var connection = new Connection(handler, options, async cancellationToken =>
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint, cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            return socket;
        }, $"to {endpoint}") { RemoteSilo = expectedSilo };
        _ = connection.RunAsync();
        return connection;
    }

    /// <summary>An accepted connection.</summary>
    public static Connection Accept(Socket socket, IConnectionHandler handler, ConnectionOptions options)
    {
        socket.NoDelay = true;
        var connection = new Connection(handler, options, _ => ValueTask.FromResult(socket), $"from {socket.RemoteEndPoint}");
        _ = connection.RunAsync();
        return connection;
    }

    public string Description { get; }
    public SiloAddress? RemoteSilo { get; private set; }
    public PeerKind RemoteKind { get; private set; }
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    public override string ToString() => RemoteSilo is null ? $"connection {Description}" : $"connection with {RemoteSilo}";

    // ---- sending (any thread) ----

    /// <summary>Queues a request; false when the connection is closed (the caller fails it).</summary>
    public bool TrySendRequest(GrainRequest request) => _outbox.Writer.TryWrite(new Outgoing(FrameType.Request, request, 0, RejectionKind.None, null));

    /// <summary>Sends the response of a request that arrived on this connection.</summary>
    public void Send(GrainRequest request) => _outbox.Writer.TryWrite(new Outgoing(FrameType.Response, request, 0, RejectionKind.None, null));

    /// <summary>Rejects a request that could not even be decoded into a <see cref="GrainRequest"/>.</summary>
    public void SendRejection(long correlationId, RejectionKind kind, Exception error) =>
        _outbox.Writer.TryWrite(new Outgoing(FrameType.Response, null, correlationId, kind, error));

    /// <summary>Round trip to the peer's reader loop (a liveness probe).</summary>
    public async Task PingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextPingId);
        var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pings[id] = pong;
        try
        {
            if (!_outbox.Writer.TryWrite(new Outgoing(FrameType.Ping, null, id, RejectionKind.None, null)))
                throw new SiloUnavailableException($"{this} is closed.");
            await pong.Task.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            _pings.TryRemove(id, out _);
        }
    }

    // ---- lifetime ----

    private async Task RunAsync()
    {
        Exception? error = null;
        try
        {
            _socket = await _open(_closing.Token);
            var stream = new NetworkStream(_socket, ownsSocket: true);
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
            var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
            var writing = WriteLoopAsync(writer);
            var reading = ReadLoopAsync(reader);
            var first = await Task.WhenAny(writing, reading);
            await first; // surfaces the error that ended the connection
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !_closing.IsCancellationRequested)
        {
            error = exception;
        }
        catch (OperationCanceledException)
        {
        }
        Close(error);
    }

    /// <summary>Closes the connection (idempotent); the handler fails whatever was in flight on it.</summary>
    public void Close(Exception? error = null)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        _outbox.Writer.TryComplete();
        _closing.Cancel();
        try { _socket?.Shutdown(SocketShutdown.Both); } catch (Exception) { /* already gone */ }
        _socket?.Dispose();
        foreach (var ping in _pings.Values) ping.TrySetException(new SiloUnavailableException($"{this} closed."));
        if (error is not null && error is not SocketException and not IOException and not ConnectionClosedException)
            _handler.Logger.LogWarning(error, "{Connection} failed", this);
        else if (error is not null)
            _handler.Logger.LogDebug("{Connection} closed: {Reason}", this, error.Message);
        _handler.OnClosed(this, error);
    }

    // ---- writer loop ----

    private async Task WriteLoopAsync(PipeWriter pipe)
    {
        using var scratch = new WireWriter(8 * 1024);
        WriteHello(scratch);
        pipe.Write(scratch.WrittenSpan);
        await pipe.FlushAsync(_closing.Token);
        var reader = _outbox.Reader;
        while (await reader.WaitToReadAsync(_closing.Token))
        {
            while (reader.TryRead(out var item))
            {
                scratch.Reset();
                if (!Encode(item, scratch)) continue;
                pipe.Write(scratch.WrittenSpan);
                if (pipe.UnflushedBytes > 256 * 1024) await pipe.FlushAsync(_closing.Token);
            }
            var flushed = await pipe.FlushAsync(_closing.Token);
            if (flushed.IsCompleted) throw new ConnectionClosedException("peer stopped reading");
        }
    }

    private void WriteHello(WireWriter writer)
    {
        var at = writer.ReserveInt32();
        writer.WriteByte((byte)FrameType.Hello);
        writer.WriteString(ConnectionOptions.Protocol);
        writer.WriteByte((byte)_options.LocalKind);
        writer.WriteString(_options.ClusterId);
        writer.WriteString(_options.LocalSilo?.ToString());
        writer.PatchInt32(at, writer.Length - at - 4);
    }

    /// <summary>Encodes one frame; false when it must not be sent (then its request was failed).</summary>
    private bool Encode(in Outgoing item, WireWriter writer)
    {
        var at = writer.ReserveInt32();
        switch (item.Type)
        {
            case FrameType.Request:
            {
                var request = item.Request!;
                if (request.IsCompleted) return false; // timed out or failed while queued
                try
                {
                    MessageCodec.WriteRequest(writer, request);
                }
                catch (Exception exception)
                {
                    request.CompleteWithRuntimeError(RejectionKind.Unrecoverable,
                        new WireFormatException($"Arguments of {request.MethodName} on {request.Target} could not be serialized: {exception.Message}"));
                    return false;
                }
                var size = writer.Length - at - 4;
                if (size > _options.MaxMessageSize)
                {
                    request.CompleteWithRuntimeError(RejectionKind.Unrecoverable,
                        new PayloadTooLargeException(size, _options.MaxMessageSize, $"Request {request.MethodName} to {request.Target}"));
                    return false;
                }
                break;
            }
            case FrameType.Response when item.Request is { } request:
            {
                try
                {
                    MessageCodec.WriteResponse(writer, request);
                }
                catch (Exception exception)
                {
                    writer.Reset();
                    at = writer.ReserveInt32();
                    MessageCodec.WriteRejection(writer, request.ReplyCorrelationId, RejectionKind.Unrecoverable,
                        new WireFormatException($"Result of {request.MethodName} on {request.Target} could not be serialized: {exception.Message}"));
                }
                var size = writer.Length - at - 4;
                if (size > _options.MaxMessageSize)
                {
                    writer.Reset();
                    at = writer.ReserveInt32();
                    MessageCodec.WriteRejection(writer, request.ReplyCorrelationId, RejectionKind.Unrecoverable,
                        new PayloadTooLargeException(size, _options.MaxMessageSize, $"Response of {request.MethodName} on {request.Target}"));
                }
                break;
            }
            case FrameType.Response:
                MessageCodec.WriteRejection(writer, item.Id, item.Kind, item.Error!);
                break;
            case FrameType.Ping:
            case FrameType.Pong:
                writer.WriteByte((byte)item.Type);
                writer.WriteInt64(item.Id);
                break;
        }
        writer.PatchInt32(at, writer.Length - at - 4);
        return true;
    }

    // ---- reader loop ----

    private async Task ReadLoopAsync(PipeReader pipe)
    {
        var helloSeen = false;
        // Frames are checked against the limit plus room for the header.
        var maxFrame = _options.MaxMessageSize + 64 * 1024;
        while (true)
        {
            var result = await pipe.ReadAsync(_closing.Token);
            var buffer = result.Buffer;
            while (buffer.Length >= 4)
            {
                var length = ReadLengthPrefix(buffer);
                if (length <= 0 || length > maxFrame)
                    throw new InvalidDataException($"{this} sent a frame of {length} bytes (limit {maxFrame}); closing it.");
                if (buffer.Length < 4 + length) break;
                var frame = buffer.Slice(4, length);
                if (frame.IsSingleSegment)
                {
                    helloSeen = ProcessFrame(frame.FirstSpan, helloSeen);
                }
                else
                {
                    var rented = ArrayPool<byte>.Shared.Rent(length);
                    try
                    {
                        frame.CopyTo(rented);
                        helloSeen = ProcessFrame(rented.AsSpan(0, length), helloSeen);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }
                }
                buffer = buffer.Slice(4 + length);
            }
            pipe.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) throw new ConnectionClosedException("peer closed the connection");
        }
    }

    private static int ReadLengthPrefix(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.FirstSpan.Length >= 4) return BinaryPrimitives.ReadInt32LittleEndian(buffer.FirstSpan);
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32LittleEndian(prefix);
    }

    private bool ProcessFrame(ReadOnlySpan<byte> frame, bool helloSeen)
    {
        var reader = new WireReader(frame);
        var type = (FrameType)reader.ReadByte();
        if (!helloSeen)
        {
            if (type != FrameType.Hello) throw new InvalidDataException($"{this}: the first frame was {type}, not Hello.");
            OnHello(ref reader);
            return true;
        }
        switch (type)
        {
            case FrameType.Request:
                MessageCodec.ReadRequest(ref reader, this, _handler);
                break;
            case FrameType.Response:
                var correlationId = reader.ReadInt64();
                _handler.OnResponse(this, correlationId, ref reader);
                break;
            case FrameType.Ping:
                _outbox.Writer.TryWrite(new Outgoing(FrameType.Pong, null, reader.ReadInt64(), RejectionKind.None, null));
                break;
            case FrameType.Pong:
                if (_pings.TryRemove(reader.ReadInt64(), out var pong)) pong.TrySetResult();
                break;
            default:
                throw new InvalidDataException($"{this} sent an unknown frame type {(byte)type}.");
        }
        return true;
    }

    private void OnHello(ref WireReader reader)
    {
        var protocol = reader.ReadString();
        if (protocol != ConnectionOptions.Protocol)
            throw new InvalidDataException($"{this} speaks '{protocol}', not '{ConnectionOptions.Protocol}'.");
        RemoteKind = (PeerKind)reader.ReadByte();
        var clusterId = reader.ReadString();
        if (clusterId != _options.ClusterId)
            throw new InvalidDataException($"{this} belongs to cluster '{clusterId}', not '{_options.ClusterId}'.");
        var silo = reader.ReadString();
        if (RemoteKind == PeerKind.Silo)
        {
            var announced = SiloAddress.Parse(silo ?? throw new InvalidDataException($"{this}: a silo must name its address."));
            if (RemoteSilo is not null && !RemoteSilo.Equals(announced))
                throw new InvalidDataException($"{this}: expected silo {RemoteSilo} but {announced} answered (it restarted).");
            RemoteSilo = announced;
        }
        _handler.OnHello(this);
    }

    private readonly record struct Outgoing(FrameType Type, GrainRequest? Request, long Id, RejectionKind Kind, Exception? Error);
}

/// <summary>The peer went away.</summary>
internal sealed class ConnectionClosedException(string message) : Exception(message);
