using Agents.Abstractions;
using Agents.Abstractions.Invocation;
using Agents.Abstractions.Serialization;

namespace Agents.Runtime.Messaging;

/// <summary>Encodes and decodes Request and Response frames (after the length prefix).</summary>
internal static class MessageCodec
{
    public static void WriteRequest(WireWriter writer, GrainRequest request)
    {
        writer.WriteByte((byte)FrameType.Request);
        writer.WriteInt64(request.CorrelationId);
        writer.WriteString(request.Target.Type);
        writer.WriteString(request.Target.Key);
        writer.WriteInt32(request.MethodId);
        writer.WriteByte((byte)request.Flags);
        // Time-to-live travels as remaining milliseconds: clocks of two machines do not agree.
        writer.WriteInt32(request.DeadlineMs == 0 ? 0 : (int)Math.Clamp(request.DeadlineMs - Environment.TickCount64, 1, int.MaxValue));
        writer.WriteInt64(request.CallChainId);
        writer.WriteString(request.SendingGrain?.ToString());
        var context = request.RequestContext;
        writer.WriteVarUInt32((uint)(context?.Count ?? 0));
        if (context is not null)
        {
            foreach (var (key, value) in context)
            {
                writer.WriteString(key);
                writer.WriteString(value);
            }
        }
        request.WriteArguments(writer);
    }

    public static void ReadRequest(ref WireReader reader, Connection connection, IConnectionHandler handler)
    {
        var correlationId = reader.ReadInt64();
        var type = reader.ReadString() ?? "";
        var key = reader.ReadString() ?? "";
        var methodId = reader.ReadInt32();
        var flags = (RequestFlags)reader.ReadByte();
        var ttl = reader.ReadInt32();
        var chain = reader.ReadInt64();
        var sending = reader.ReadString();
        var contextCount = reader.ReadVarUInt32();
        Dictionary<string, string>? context = null;
        if (contextCount > 0)
        {
            if (contextCount > 1024) throw new WireFormatException($"request context of {contextCount} entries");
            context = new Dictionary<string, string>((int)contextCount, StringComparer.Ordinal);
            for (var i = 0; i < contextCount; i++) context[reader.ReadString() ?? ""] = reader.ReadString() ?? "";
        }

        if (!GrainInterfaceRegistry.TryGetByGrainType(type, out var metadata))
        {
            connection.SendRejection(correlationId, RejectionKind.Unrecoverable,
                new UnknownGrainTypeException($"Grain type '{type}' is unknown to the silo: no grain interface declares it."));
            return;
        }
        var request = metadata.CreateRequest(methodId);
        if (request is null)
        {
            connection.SendRejection(correlationId, RejectionKind.Unrecoverable,
                new UnknownGrainTypeException($"Grain type '{type}' has no method #{methodId}: client and silo were built from different interfaces."));
            return;
        }
        try
        {
            request.ReadArguments(ref reader);
        }
        catch (Exception exception)
        {
            connection.SendRejection(correlationId, RejectionKind.Unrecoverable,
                new WireFormatException($"Arguments of {type}.{request.MethodName} could not be read: {exception.Message}"));
            return;
        }
        request.Target = new GrainId(type, key);
        request.ReplyCorrelationId = correlationId;
        request.Flags = flags;
        request.DeadlineMs = ttl == 0 ? 0 : Environment.TickCount64 + ttl;
        request.CallChainId = chain;
        request.SendingGrain = sending is null ? null : GrainId.Parse(sending);
        request.RequestContext = context;
        request.Origin = connection.RemoteKind == PeerKind.Silo ? RequestOrigin.Silo : RequestOrigin.Client;
        request.Sink = connection;
        handler.OnRequest(connection, request);
    }

    public static void WriteResponse(WireWriter writer, GrainRequest request)
    {
        writer.WriteByte((byte)FrameType.Response);
        writer.WriteInt64(request.ReplyCorrelationId);
        writer.WriteByte((byte)request.Outcome);
        switch (request.Outcome)
        {
            case ResponseKind.Success:
                request.WriteResult(writer);
                break;
            case ResponseKind.Error:
                var error = request.Error!;
                writer.WriteString(error.ExceptionType);
                writer.WriteString(error.Message);
                writer.WriteString(error.StackTrace);
                break;
            default:
                writer.WriteByte((byte)request.Rejection);
                RuntimeErrorCodec.Write(writer, request.RuntimeError!);
                break;
        }
    }

    public static void WriteRejection(WireWriter writer, long correlationId, RejectionKind kind, Exception error)
    {
        writer.WriteByte((byte)FrameType.Response);
        writer.WriteInt64(correlationId);
        writer.WriteByte((byte)ResponseKind.Rejection);
        writer.WriteByte((byte)kind);
        RuntimeErrorCodec.Write(writer, error);
    }

    /// <summary>
    /// <see cref="CompleteFromResponse"/>, failing the request as Unrecoverable when the response cannot
    /// be read. Returns false when the request is settled (answered or failed); true with the rejection
    /// when the caller must decide whether to retry.
    /// </summary>
    public static bool TryReadRejection(GrainRequest request, ref WireReader reader, out RejectionKind kind, out Exception? rejection)
    {
        try
        {
            kind = CompleteFromResponse(request, ref reader, out rejection);
        }
        catch (Exception exception)
        {
            request.CompleteWithRuntimeError(RejectionKind.Unrecoverable, new WireFormatException($"Response to {request.MethodName} on {request.Target} is malformed: {exception.Message}"));
            kind = RejectionKind.Unrecoverable;
            rejection = null;
            return false;
        }
        return kind != RejectionKind.None;
    }

    /// <summary>Completes a request from the response that answers it (reader after the correlation id).
    /// Returns the rejection kind when the caller must decide (retry or fail), else None.</summary>
    public static RejectionKind CompleteFromResponse(GrainRequest request, ref WireReader reader, out Exception? rejection)
    {
        rejection = null;
        var kind = (ResponseKind)reader.ReadByte();
        switch (kind)
        {
            case ResponseKind.Success:
                request.CompleteFromWire(ref reader);
                return RejectionKind.None;
            case ResponseKind.Error:
                var type = reader.ReadString() ?? "Exception";
                var message = reader.ReadString() ?? "";
                var stack = reader.ReadString();
                request.CompleteWithGrainError(new GrainError(type, message, stack, null));
                return RejectionKind.None;
            case ResponseKind.Rejection:
                var rejectionKind = (RejectionKind)reader.ReadByte();
                rejection = RuntimeErrorCodec.Read(ref reader);
                return rejectionKind;
            default:
                throw new WireFormatException($"unknown response kind {(byte)kind}");
        }
    }
}
