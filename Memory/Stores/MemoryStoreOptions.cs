namespace Agents.Memory.Stores;

/// <summary>Options shared by every store (options pattern: bind from "Memory:Store").</summary>
public sealed class MemoryStoreOptions
{
    /// <summary>The embedding dimension, fixed for a store's life. 384 is the default offline embedder's
    /// and the dimension the PostgreSQL migration indexes.</summary>
    public int Dimension { get; set; } = 384;

    /// <summary>Longest content accepted, in characters.</summary>
    public int MaxContentLength { get; set; } = 16_384;

    /// <summary>Longest keyword, tag, source id, metadata key or value, context and category, in characters.</summary>
    public int MaxFieldLength { get; set; } = 2_048;

    /// <summary>Most keywords, tags, sources or metadata entries on one record.</summary>
    public int MaxListLength { get; set; } = 256;

    /// <summary>Longest job payload, in characters.</summary>
    public int MaxPayloadLength { get; set; } = 1_048_576;
}
