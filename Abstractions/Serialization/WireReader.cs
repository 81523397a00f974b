using System.Buffers.Binary;
using System.Text;

namespace Agents.Abstractions.Serialization;

/// <summary>Reads what <see cref="WireWriter"/> wrote. A truncated or malformed payload raises
/// <see cref="WireFormatException"/> rather than reading out of bounds.</summary>
public ref struct WireReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Position => _position;
    public readonly int Remaining => _data.Length - _position;

    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_data.Length - _position))
            throw new WireFormatException($"payload truncated: needed {count} bytes at offset {_position}, {_data.Length - _position} left");
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    public byte ReadByte() => Take(1)[0];
    public bool ReadBool() => ReadByte() != 0;
    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));
    public decimal ReadDecimal()
    {
        Span<int> bits = [ReadInt32(), ReadInt32(), ReadInt32(), ReadInt32()];
        return new decimal(bits);
    }
    public Guid ReadGuid() => new(Take(16));
    public DateTime ReadDateTime() => DateTime.FromBinary(ReadInt64());
    public DateTimeOffset ReadDateTimeOffset()
    {
        var ticks = ReadInt64();
        var offset = TimeSpan.FromMinutes(ReadInt16());
        return new DateTimeOffset(ticks + offset.Ticks, offset);
    }
    public TimeSpan ReadTimeSpan() => new(ReadInt64());

    public uint ReadVarUInt32()
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte();
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw new WireFormatException("malformed varint");
    }

    private int ReadLength(string what)
    {
        var length = ReadVarUInt32();
        if (length > int.MaxValue || length > (uint)Remaining + 1)
            throw new WireFormatException($"{what} length {length} exceeds the {Remaining} bytes left");
        return (int)length;
    }

    public string? ReadString()
    {
        var length = ReadLength("string");
        return length == 0 ? null : Encoding.UTF8.GetString(Take(length - 1));
    }

    public ReadOnlySpan<byte> ReadBytes() => Take(ReadLength("bytes"));

    public byte[]? ReadByteArray()
    {
        var length = ReadLength("byte array");
        return length == 0 ? null : Take(length - 1).ToArray();
    }

    public float[]? ReadSingleArray()
    {
        var length = ReadVarUInt32();
        if (length == 0) return null;
        var count = checked((int)length - 1);
        var bytes = Take(checked(count * 4));
        var result = new float[count];
        bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    public T ReadObject<T>()
    {
        var length = ReadInt32();
        return System.Text.Json.JsonSerializer.Deserialize(Take(length), GrainJson.TypeInfo<T>())!;
    }
}

/// <summary>A payload does not follow the wire format (truncated, corrupt, or of another version).</summary>
public sealed class WireFormatException(string message) : Exception(message);
