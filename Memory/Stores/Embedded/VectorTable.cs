using System.Numerics.Tensors;
using Agents.Memory.Model;

namespace Agents.Memory.Stores.Embedded;

/// <summary>
/// Unit-length vectors in one contiguous array (row i = slot i), so an exact search is a linear scan
/// of SIMD dot products over cache-friendly memory; each row keeps its record, so a scan reaches it
/// without a lookup. Removal moves the last row into the hole.
/// Not thread-safe: the store's lock guards it.
/// </summary>
internal sealed class VectorTable(int dimension)
{
    private float[] _data = new float[dimension * 1024];
    private sbyte[] _codes = new sbyte[dimension * 1024];
    private float[] _scales = new float[1024];
    private MemoryRecord[] _records = new MemoryRecord[1024];

    public int Count { get; private set; }
    public int Dimension => dimension;

    public Guid IdAt(int slot) => _records[slot].Id;

    /// <summary>The record whose vector is in <paramref name="slot"/>.</summary>
    public MemoryRecord RecordAt(int slot) => _records[slot];

    public ReadOnlySpan<float> Row(int slot) => _data.AsSpan(slot * dimension, dimension);

    /// <summary>Approximate cosines of the rows from <paramref name="start"/> on with a query quantised
    /// to <paramref name="codes"/> with <paramref name="scale"/>, one per element of <paramref name="destination"/>.</summary>
    public void ApproximateDots(int start, ReadOnlySpan<sbyte> codes, float scale, Span<float> destination)
    {
        var all = _codes.AsSpan(start * dimension, destination.Length * dimension);
        for (var i = 0; i < destination.Length; i++)
            destination[i] = VectorMath.DotInt8(all.Slice(i * dimension, dimension), codes) * _scales[start + i] * scale;
    }

    /// <summary>Appends the record's embedding normalised to unit length; returns its slot.</summary>
    public int Add(MemoryRecord record, ReadOnlySpan<float> vector)
    {
        if (Count == _records.Length)
        {
            Array.Resize(ref _records, _records.Length * 2);
            Array.Resize(ref _data, _records.Length * dimension);
            Array.Resize(ref _codes, _records.Length * dimension);
            Array.Resize(ref _scales, _records.Length);
        }
        var slot = Count++;
        var row = _data.AsSpan(slot * dimension, dimension);
        Normalize(vector, row);
        _scales[slot] = VectorMath.Quantize(row, _codes.AsSpan(slot * dimension, dimension));
        _records[slot] = record;
        return slot;
    }

    /// <summary>Removes a slot; returns the id whose row moved into it (or null when it was the last).</summary>
    public Guid? Remove(int slot)
    {
        var last = Count - 1;
        Guid? moved = null;
        if (slot != last)
        {
            _data.AsSpan(last * dimension, dimension).CopyTo(_data.AsSpan(slot * dimension, dimension));
            _codes.AsSpan(last * dimension, dimension).CopyTo(_codes.AsSpan(slot * dimension, dimension));
            _scales[slot] = _scales[last];
            _records[slot] = _records[last];
            moved = _records[slot].Id;
        }
        _records[last] = null!;
        Count--;
        return moved;
    }


    public static void Normalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        var norm = TensorPrimitives.Norm(source);
        TensorPrimitives.Divide(source, norm, destination);
    }
}
