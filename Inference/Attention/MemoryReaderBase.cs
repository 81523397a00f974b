using System.Buffers;

namespace Agents.Inference.Attention;

/// <summary>
/// What every reader shares: input validation (each bad input a specific exception, checked before
/// anything changes), key and query normalisation, and the lock that lets reads run together while
/// writes run alone.
/// </summary>
public abstract class MemoryReaderBase : IMemoryReader
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private bool _disposed;

    /// <param name="dimension">Key and query dimension.</param>
    /// <param name="valueDimension">Dimension of separate value vectors, or 0 when each memory's value is its key.</param>
    protected MemoryReaderBase(int dimension, int valueDimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(valueDimension);
        Dimension = dimension;
        HasSeparateValues = valueDimension > 0;
        ValueDimension = HasSeparateValues ? valueDimension : dimension;
    }

    public int Dimension { get; }
    public int ValueDimension { get; }
    public bool HasSeparateValues { get; }

    public int Count
    {
        get { using var _ = ReadLock(); return CountCore; }
    }

    public bool Contains(long id)
    {
        using var _ = ReadLock();
        return ContainsCore(id);
    }

    public void Insert(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value = default)
    {
        var buffer = ArrayPool<float>.Shared.Rent(Dimension);
        try
        {
            var normalised = buffer.AsSpan(0, Dimension);
            VectorChecks.NormalizeInto(key, normalised, nameof(key));
            CheckValueArgument(value, nameof(value));
            using var _ = WriteLock();
            if (ContainsCore(id)) throw new DuplicateMemoryIdException(id, nameof(id));
            InsertCore(id, normalised, HasSeparateValues ? value : normalised);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    public void InsertRange(ReadOnlySpan<long> ids, ReadOnlySpan<float> keys, ReadOnlySpan<float> values = default)
    {
        if (ids.IsEmpty) return;
        var rows = ids.Length;
        if (keys.Length != (long)rows * Dimension)
            throw new DimensionMismatchException($"dimension mismatch in 'keys': {rows} ids need {(long)rows * Dimension} floats (d = {Dimension}), got {keys.Length}.", nameof(keys));
        if (HasSeparateValues && values.Length != (long)rows * ValueDimension)
            throw new DimensionMismatchException($"dimension mismatch in 'values': {rows} ids need {(long)rows * ValueDimension} floats (dv = {ValueDimension}), got {values.Length}.", nameof(values));
        if (!HasSeparateValues && !values.IsEmpty)
            throw new ArgumentException("this bank uses each memory's key as its value; pass no separate values.", nameof(values));

        var scratch = ArrayPool<float>.Shared.Rent(Dimension);
        try
        {
            for (var r = 0; r < rows; r++)
            {
                VectorChecks.NormalizeInto(keys.Slice(r * Dimension, Dimension), scratch.AsSpan(0, Dimension), nameof(keys), r);
                if (HasSeparateValues) VectorChecks.CheckValue(values.Slice(r * ValueDimension, ValueDimension), ValueDimension, nameof(values), r);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
        var seen = new HashSet<long>(rows);
        foreach (var id in ids)
            if (!seen.Add(id)) throw new DuplicateMemoryIdException(id, nameof(ids));

        using var _ = WriteLock();
        foreach (var id in ids)
            if (ContainsCore(id)) throw new DuplicateMemoryIdException(id, nameof(ids));
        InsertRangeCore(ids, keys, values);
    }

    public void Update(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value = default)
    {
        var buffer = ArrayPool<float>.Shared.Rent(Dimension);
        try
        {
            var normalised = buffer.AsSpan(0, Dimension);
            VectorChecks.NormalizeInto(key, normalised, nameof(key));
            CheckValueArgument(value, nameof(value));
            using var _ = WriteLock();
            if (!ContainsCore(id)) throw new KeyNotFoundException($"memory id {id} is not in the bank; insert it first.");
            UpdateCore(id, normalised, HasSeparateValues ? value : normalised);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    public bool Delete(long id)
    {
        using var _ = WriteLock();
        return DeleteCore(id);
    }

    public void Read(ReadOnlySpan<float> queries, ReadOptions options, ReadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        options.ValidateShape();
        var b = VectorChecks.Rows(queries.Length, Dimension, nameof(queries));
        result.EnsureFits(b, options.K, ValueDimension);
        var normalised = ArrayPool<float>.Shared.Rent(b * Dimension);
        try
        {
            for (var q = 0; q < b; q++)
                VectorChecks.NormalizeInto(queries.Slice(q * Dimension, Dimension), normalised.AsSpan(q * Dimension, Dimension), nameof(queries), q);
            using var _ = ReadLock();
            options.Validate(CountCore);
            result.QueryCount = 0;
            ReadCore(normalised, b, options, result);
            result.QueryCount = b;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(normalised);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Dispose(true);
        _lock.Dispose();
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) { }

    protected abstract int CountCore { get; }
    protected abstract bool ContainsCore(long id);

    /// <summary>Adds a memory; <paramref name="key"/> is unit length, the id is new.</summary>
    protected abstract void InsertCore(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value);

    /// <summary>Adds validated memories; keys are NOT yet normalised (use <see cref="NormalizeRow"/>).</summary>
    protected abstract void InsertRangeCore(ReadOnlySpan<long> ids, ReadOnlySpan<float> keys, ReadOnlySpan<float> values);

    protected abstract void UpdateCore(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value);
    protected abstract bool DeleteCore(long id);

    /// <summary>Reads <paramref name="queryCount"/> unit-length queries; the bank holds at least k memories.</summary>
    protected abstract void ReadCore(float[] queries, int queryCount, ReadOptions options, ReadResult result);

    /// <summary>Writes the unit-length copy of one key of a batch that has been validated.</summary>
    protected static void NormalizeRow(ReadOnlySpan<float> key, Span<float> destination) =>
        VectorChecks.NormalizeInto(key, destination, "keys");

    protected LockScope ReadLock()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _lock.EnterReadLock();
        return new LockScope(_lock, write: false);
    }

    protected LockScope WriteLock()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _lock.EnterWriteLock();
        return new LockScope(_lock, write: true);
    }

    private void CheckValueArgument(ReadOnlySpan<float> value, string paramName)
    {
        if (HasSeparateValues)
            VectorChecks.CheckValue(value, ValueDimension, paramName);
        else if (!value.IsEmpty)
            throw new ArgumentException("this bank uses each memory's key as its value; pass no separate value.", paramName);
    }

    /// <summary>Releases a lock taken by <see cref="ReadLock"/> or <see cref="WriteLock"/>.</summary>
    protected readonly struct LockScope(ReaderWriterLockSlim rwLock, bool write) : IDisposable
    {
        public void Dispose()
        {
            if (write) rwLock.ExitWriteLock();
            else rwLock.ExitReadLock();
        }
    }
}
