namespace Agents.Inference.Attention;

/// <summary>
/// A bank of <c>n</c> memory vectors (<c>n x d</c>) with payload ids, kept in step with a memory store.
/// </summary>
/// <remarks>
/// <para>Ids are <see cref="long"/>: the memory store's row or sequence number (a store keyed by
/// <see cref="Guid"/> keeps its own map to a long). An id is present at most once.</para>
/// <para>Keys are stored L2-normalised: queries and keys share one space on the unit sphere, as in the
/// Routing Transformer, so a logit is a cosine divided by the temperature. A key of zero length is
/// refused.</para>
/// <para>Values: when the bank was created with <see cref="ValueDimension"/> equal to
/// <see cref="Dimension"/> and no separate values are given, each memory's value is its (normalised)
/// key; a bank created with a separate value dimension requires a value vector with every insert and
/// update, and stores it as given.</para>
/// </remarks>
public interface IMemoryBank
{
    /// <summary>The key (and query) dimension <c>d</c>.</summary>
    int Dimension { get; }

    /// <summary>The dimension of the value vectors that readouts are made of.</summary>
    int ValueDimension { get; }

    /// <summary>True when values are separate vectors; false when each memory's value is its key.</summary>
    bool HasSeparateValues { get; }

    /// <summary>The number of memories <c>n</c>.</summary>
    int Count { get; }

    bool Contains(long id);

    /// <summary>Adds one memory. Throws <see cref="DuplicateMemoryIdException"/> when the id is present.</summary>
    void Insert(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value = default);

    /// <summary>
    /// Adds many memories at once (<paramref name="keys"/> is <c>ids.Length x d</c> row-major,
    /// <paramref name="values"/> <c>ids.Length x dv</c> or empty). The whole batch is validated before
    /// anything is added: a bad row leaves the bank unchanged.
    /// </summary>
    void InsertRange(ReadOnlySpan<long> ids, ReadOnlySpan<float> keys, ReadOnlySpan<float> values = default);

    /// <summary>Replaces a memory's key (and value). Throws <see cref="KeyNotFoundException"/> for an unknown id.</summary>
    void Update(long id, ReadOnlySpan<float> key, ReadOnlySpan<float> value = default);

    /// <summary>Removes a memory; false when the id was not present.</summary>
    bool Delete(long id);
}
