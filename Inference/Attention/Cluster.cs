using System.Numerics.Tensors;

namespace Agents.Inference.Attention;

/// <summary>
/// One cluster's members stored contiguously (keys row-major, then values and ids in the same order),
/// so a probe is one sequential scan. Removal moves the last member into the hole.
/// </summary>
internal sealed class Cluster
{
    private readonly int _dimension;
    private readonly int _valueDimension;

    public Cluster(int dimension, int valueDimension, int capacity)
    {
        _dimension = dimension;
        _valueDimension = valueDimension;
        capacity = Math.Max(capacity, 4);
        Keys = new float[capacity * dimension];
        HalfKeys = new Half[capacity * dimension];
        Values = valueDimension > 0 ? new float[capacity * valueDimension] : null;
        Ids = new long[capacity];
    }

    public float[] Keys { get; private set; }

    /// <summary>
    /// The keys again in half precision: the probe scan reads these, half the memory traffic of a scan
    /// that is bound by memory bandwidth; the best candidates are then rescored from <see cref="Keys"/>.
    /// </summary>
    public Half[] HalfKeys { get; private set; }

    /// <summary>Separate values, or null when the keys are the values.</summary>
    public float[]? Values { get; private set; }

    public long[] Ids { get; private set; }
    public int Count { get; private set; }

    public ReadOnlySpan<float> Key(int slot) => Keys.AsSpan(slot * _dimension, _dimension);

    public ReadOnlySpan<float> Value(int slot) => Values is null ? Key(slot) : Values.AsSpan(slot * _valueDimension, _valueDimension);

    public int Append(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        if (Count == Ids.Length) Grow(Count * 2);
        var slot = Count++;
        key.CopyTo(Keys.AsSpan(slot * _dimension, _dimension));
        TensorPrimitives.ConvertToHalf(key, HalfKeys.AsSpan(slot * _dimension, _dimension));
        if (Values is not null) value.CopyTo(Values.AsSpan(slot * _valueDimension, _valueDimension));
        Ids[slot] = id;
        return slot;
    }

    /// <summary>Removes a member; returns the id that moved into <paramref name="slot"/>, or null.</summary>
    public long? RemoveSwapLast(int slot)
    {
        var last = --Count;
        if (slot == last) return null;
        Keys.AsSpan(last * _dimension, _dimension).CopyTo(Keys.AsSpan(slot * _dimension, _dimension));
        HalfKeys.AsSpan(last * _dimension, _dimension).CopyTo(HalfKeys.AsSpan(slot * _dimension, _dimension));
        Values?.AsSpan(last * _valueDimension, _valueDimension).CopyTo(Values.AsSpan(slot * _valueDimension, _valueDimension));
        Ids[slot] = Ids[last];
        return Ids[slot];
    }

    /// <summary>Makes room for <paramref name="capacity"/> members at once (a big first batch grows once, not by doubling).</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity > Ids.Length) Grow(capacity);
    }

    /// <summary>Drops every member and releases most of the memory (used when members are redistributed).</summary>
    public void Reset(int capacity)
    {
        Count = 0;
        capacity = Math.Max(capacity, 4);
        Keys = new float[capacity * _dimension];
        HalfKeys = new Half[capacity * _dimension];
        Values = Values is null ? null : new float[capacity * _valueDimension];
        Ids = new long[capacity];
    }

    private void Grow(int capacity)
    {
        var keys = new float[capacity * _dimension];
        Keys.AsSpan(0, Count * _dimension).CopyTo(keys);
        Keys = keys;
        var halfKeys = new Half[capacity * _dimension];
        HalfKeys.AsSpan(0, Count * _dimension).CopyTo(halfKeys);
        HalfKeys = halfKeys;
        if (Values is not null)
        {
            var values = new float[capacity * _valueDimension];
            Values.AsSpan(0, Count * _valueDimension).CopyTo(values);
            Values = values;
        }
        var ids = new long[capacity];
        Ids.AsSpan(0, Count).CopyTo(ids);
        Ids = ids;
    }
}
