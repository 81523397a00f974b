namespace Agents.Inference.Attention;

/// <summary>
/// Dense row-major storage in fixed-size chunks: appends never copy the whole bank (no 1.5 GB
/// reallocation at a million rows of 384 floats), a chunk is a natural unit of parallel work, and a
/// removal moves the last row into the hole so the rows stay contiguous.
/// </summary>
internal sealed class RowStore(int dimension, int chunkRows = RowStore.DefaultChunkRows)
{
    public const int DefaultChunkRows = 4096;

    private readonly List<float[]> _chunks = [];

    public int Dimension { get; } = dimension;
    public int ChunkRows { get; } = chunkRows;
    public int Count { get; private set; }
    public int ChunkCount => _chunks.Count;

    public float[] Chunk(int chunk) => _chunks[chunk];

    public int RowsInChunk(int chunk) => Math.Min(ChunkRows, Count - chunk * ChunkRows);

    public Span<float> Row(int row) => _chunks[row / ChunkRows].AsSpan(row % ChunkRows * Dimension, Dimension);

    /// <summary>Appends an uninitialised row and returns it for the caller to fill.</summary>
    public Span<float> Append()
    {
        if (Count == _chunks.Count * ChunkRows) _chunks.Add(new float[ChunkRows * Dimension]);
        return Row(Count++);
    }

    /// <summary>Removes a row by moving the last row into it; returns the index of the row that moved (or -1).</summary>
    public int RemoveSwapLast(int row)
    {
        var last = Count - 1;
        if (row != last) Row(last).CopyTo(Row(row));
        Count--;
        if (Count <= (_chunks.Count - 2) * ChunkRows) _chunks.RemoveAt(_chunks.Count - 1); // keep one spare chunk
        return row != last ? last : -1;
    }
}
