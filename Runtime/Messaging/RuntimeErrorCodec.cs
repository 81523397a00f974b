using Agents.Abstractions;
using Agents.Abstractions.Serialization;

namespace Agents.Runtime.Messaging;

/// <summary>Carries the runtime's own errors across the wire so the caller gets the same exception type
/// a local call would raise.</summary>
internal static class RuntimeErrorCodec
{
    private enum Code : byte
    {
        Other = 0,
        UnknownGrainType = 1,
        Overloaded = 2,
        RequestTimeout = 3,
        NoSiloWithRole = 4,
        PayloadTooLarge = 5,
        SiloUnavailable = 6,
        WireFormat = 7,
    }

    public static void Write(WireWriter writer, Exception error)
    {
        switch (error)
        {
            case UnknownGrainTypeException: writer.WriteByte((byte)Code.UnknownGrainType); break;
            case OverloadedException: writer.WriteByte((byte)Code.Overloaded); break;
            case RequestTimeoutException: writer.WriteByte((byte)Code.RequestTimeout); break;
            case NoSiloWithRoleException role:
                writer.WriteByte((byte)Code.NoSiloWithRole);
                writer.WriteString(role.Role);
                writer.WriteString(role.GrainType);
                return;
            case PayloadTooLargeException large:
                writer.WriteByte((byte)Code.PayloadTooLarge);
                writer.WriteInt32(large.Size);
                writer.WriteInt32(large.Limit);
                writer.WriteString(large.What);
                return;
            case SiloUnavailableException: writer.WriteByte((byte)Code.SiloUnavailable); break;
            case WireFormatException: writer.WriteByte((byte)Code.WireFormat); break;
            default:
                writer.WriteByte((byte)Code.Other);
                writer.WriteString(error.GetType().FullName);
                break;
        }
        writer.WriteString(error.Message);
    }

    public static Exception Read(ref WireReader reader)
    {
        var code = (Code)reader.ReadByte();
        switch (code)
        {
            case Code.NoSiloWithRole:
                return new NoSiloWithRoleException(reader.ReadString() ?? "", reader.ReadString() ?? "");
            case Code.PayloadTooLarge:
                var size = reader.ReadInt32();
                var limit = reader.ReadInt32();
                return new PayloadTooLargeException(size, limit, reader.ReadString() ?? "message");
            case Code.Other:
                var type = reader.ReadString() ?? "Exception";
                return new SiloUnavailableException($"{type}: {reader.ReadString()}");
        }
        var message = reader.ReadString() ?? "";
        return code switch
        {
            Code.UnknownGrainType => new UnknownGrainTypeException(message),
            Code.Overloaded => new OverloadedException(message),
            Code.RequestTimeout => new RequestTimeoutException(message),
            Code.WireFormat => new WireFormatException(message),
            _ => new SiloUnavailableException(message),
        };
    }
}
