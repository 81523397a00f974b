using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Agents.Abstractions.Serialization;

/// <summary>
/// Appends the compact binary wire format to a pooled, growable buffer: fixed-width little-endian
/// numbers, 7-bit-varint lengths, UTF-8 strings. Generated request classes call it directly, so
/// arguments and results of common types serialize without reflection. Not thread-safe; reuse one per
/// writer loop with <see cref="Reset"/>.
/// </summary>
public sealed class WireWriter : IDisposable
{
    private byte[] _buffer;
    private int _position;

    public WireWriter(int initialCapacity = 1024) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length => _position;
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _position);

    public void Reset() => _position = 0;

    /// <summary>Reserves a 4-byte slot to patch later (frame lengths).</summary>
    public int ReserveInt32() { var at = _position; Span(4); _position += 4; return at; }
    public void PatchInt32(int at, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Span(int size)
    {
        if (_buffer.Length - _position < size) Grow(size);
        return _buffer.AsSpan(_position);
    }

    private void Grow(int size)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _position + size));
        _buffer.AsSpan(0, _position).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void WriteByte(byte value) { Span(1)[0] = value; _position++; }
    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);
    public void WriteInt16(short value) { BinaryPrimitives.WriteInt16LittleEndian(Span(2), value); _position += 2; }
    public void WriteInt32(int value) { BinaryPrimitives.WriteInt32LittleEndian(Span(4), value); _position += 4; }
    public void WriteInt64(long value) { BinaryPrimitives.WriteInt64LittleEndian(Span(8), value); _position += 8; }
    public void WriteUInt32(uint value) { BinaryPrimitives.WriteUInt32LittleEndian(Span(4), value); _position += 4; }
    public void WriteUInt64(ulong value) { BinaryPrimitives.WriteUInt64LittleEndian(Span(8), value); _position += 8; }
    public void WriteSingle(float value) { BinaryPrimitives.WriteSingleLittleEndian(Span(4), value); _position += 4; }
    public void WriteDouble(double value) { BinaryPrimitives.WriteDoubleLittleEndian(Span(8), value); _position += 8; }
    public void WriteDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        foreach (var b in bits) WriteInt32(b);
    }
    public void WriteGuid(Guid value) { value.TryWriteBytes(Span(16)); _position += 16; }
    public void WriteDateTime(DateTime value) => WriteInt64(value.ToBinary());
    public void WriteDateTimeOffset(DateTimeOffset value) { WriteInt64(value.UtcTicks); WriteInt16((short)value.Offset.TotalMinutes); }
    public void WriteTimeSpan(TimeSpan value) => WriteInt64(value.Ticks);

    public void WriteVarUInt32(uint value)
    {
        var span = Span(5);
        var i = 0;
        while (value >= 0x80) { span[i++] = (byte)(value | 0x80); value >>= 7; }
        span[i++] = (byte)value;
        _position += i;
    }

    /// <summary>Null is length 0; otherwise UTF-8 byte count + 1, then the bytes.</summary>
    public void WriteString(string? value)
    {
        if (value is null) { WriteVarUInt32(0); return; }
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max < 128)
        {
            // One length byte suffices: encode in place, then fill the length in.
            var span = Span(max + 1);
            var count = Encoding.UTF8.GetBytes(value, span[1..]);
            span[0] = (byte)(count + 1);
            _position += count + 1;
            return;
        }
        var exact = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt32((uint)exact + 1);
        Encoding.UTF8.GetBytes(value, Span(exact));
        _position += exact;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarUInt32((uint)value.Length);
        value.CopyTo(Span(value.Length));
        _position += value.Length;
    }

    /// <summary>Null is length 0; otherwise length + 1, then the bytes.</summary>
    public void WriteByteArray(byte[]? value)
    {
        if (value is null) { WriteVarUInt32(0); return; }
        WriteVarUInt32((uint)value.Length + 1);
        value.CopyTo(Span(value.Length));
        _position += value.Length;
    }

    /// <summary>Null is length 0; otherwise length + 1, then the floats (embeddings travel this way).</summary>
    public void WriteSingleArray(float[]? value)
    {
        if (value is null) { WriteVarUInt32(0); return; }
        WriteVarUInt32((uint)value.Length + 1);
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(value.AsSpan());
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The wire format is little-endian.");
        bytes.CopyTo(Span(bytes.Length));
        _position += bytes.Length;
    }

    /// <summary>Any other type: System.Text.Json through <see cref="GrainJson"/> (source-generated
    /// contexts registered there are used first), length-prefixed.</summary>
    public void WriteObject<T>(T value)
    {
        var at = ReserveInt32();
        using (var json = new System.Text.Json.Utf8JsonWriter(new BufferAdapter(this)))
            System.Text.Json.JsonSerializer.Serialize(json, value, GrainJson.TypeInfo<T>());
        PatchInt32(at, _position - at - 4);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>Lets Utf8JsonWriter append straight into this buffer.</summary>
    private sealed class BufferAdapter(WireWriter owner) : IBufferWriter<byte>
    {
        public void Advance(int count) => owner._position += count;
        public Memory<byte> GetMemory(int sizeHint = 0) { owner.Span(Math.Max(sizeHint, 256)); return owner._buffer.AsMemory(owner._position); }
        public Span<byte> GetSpan(int sizeHint = 0) => owner.Span(Math.Max(sizeHint, 256));
    }
}
