using System.Numerics.Tensors;

namespace Agents.Memory.Stores.Embedded;

/// <summary>
/// Unit-length vectors in one contiguous array (row i = slot i), so an exact search is a linear scan
/// of SIMD dot products over cache-friendly memory. Removal moves the last row into the hole.
/// Not thread-safe: the store's lock guards it.
/// </summary>
internal sealed class VectorTable(int dimension)
{
    private float[] _data = new float[dimension * 1024];
    private sbyte[] _codes = new sbyte[dimension * 1024];
    private float[] _scales = new float[1024];
    private Guid[] _ids = new Guid[1024];

    public int Count { get; private set; }
    public int Dimension => dimension;

    public Guid IdAt(int slot) => _ids[slot];

    public ReadOnlySpan<float> Row(int slot) => _data.AsSpan(slot * dimension, dimension);

    /// <summary>Approximate cosine of slot's row and a query quantised to <paramref name="codes"/> with <paramref name="scale"/>.</summary>
    public float ApproximateDot(int slot, ReadOnlySpan<sbyte> codes, float scale) =>
        VectorMath.DotInt8(_codes.AsSpan(slot * dimension, dimension), codes) * _scales[slot] * scale;

    /// <summary>Appends <paramref name="vector"/> normalised to unit length; returns its slot.</summary>
    public int Add(Guid id, ReadOnlySpan<float> vector)
    {
        if (Count == _ids.Length)
        {
            Array.Resize(ref _ids, _ids.Length * 2);
            Array.Resize(ref _data, _ids.Length * dimension);
            Array.Resize(ref _codes, _ids.Length * dimension);
            Array.Resize(ref _scales, _ids.Length);
        }
        var slot = Count++;
        var row = _data.AsSpan(slot * dimension, dimension);
        Normalize(vector, row);
        _scales[slot] = VectorMath.Quantize(row, _codes.AsSpan(slot * dimension, dimension));
        _ids[slot] = id;
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
            _ids[slot] = _ids[last];
            moved = _ids[slot];
        }
        _ids[last] = Guid.Empty;
        Count--;
        return moved;
    }


    public static void Normalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        var norm = TensorPrimitives.Norm(source);
        TensorPrimitives.Divide(source, norm, destination);
    }
}
