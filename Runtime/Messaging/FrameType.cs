namespace Agents.Runtime.Messaging;

/// <summary>
/// The kinds of frame on a connection. Every frame is <c>[int32 length][byte type][body]</c>, little-endian.
/// <list type="bullet">
/// <item>Hello: protocol tag, peer kind, cluster id, silo address (silos) — the first frame each way.</item>
/// <item>Request: correlation id, target grain (type, key), method id, flags, time-to-live (ms),
/// call chain id, sending grain, request context, then the arguments.</item>
/// <item>Response: correlation id, <see cref="Agents.Abstractions.Invocation.ResponseKind"/>, then the
/// result, the grain error (type, message, stack) or the rejection (kind, error).</item>
/// <item>Ping / Pong: correlation id (liveness probes).</item>
/// </list>
/// The sending and target silos are those of the connection, fixed by the Hello exchange.
/// </summary>
internal enum FrameType : byte
{
    Hello = 1,
    Request = 2,
    Response = 3,
    Ping = 4,
    Pong = 5,
}

/// <summary>Who is on the other end of a connection.</summary>
internal enum PeerKind : byte
{
    Silo = 1,
    Client = 2,
}
