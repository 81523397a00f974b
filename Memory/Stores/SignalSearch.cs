namespace Agents.Memory.Stores;

/// <summary>
/// The store searches of one hybrid retrieval, over one filter, asked at once
/// (<see cref="IMemoryStore.SearchSignalsAsync"/>): each is what the single call would answer
/// (<see cref="IMemoryStore.SearchByTextAsync"/> over <see cref="TextField.All"/> and
/// <see cref="TextField.Content"/>, <see cref="IMemoryStore.SearchByVectorAsync"/>), top
/// <see cref="TopK"/> each. A signal left null is not searched and comes back empty.
/// </summary>
public sealed record SignalSearch(MemoryFilter Filter, int TopK)
{
    /// <summary>Full text over content, context, keywords and tags.</summary>
    public string? Text { get; init; }

    /// <summary>Full text over the content alone.</summary>
    public string? ContentText { get; init; }

    /// <summary>Cosine similarity to this vector.</summary>
    public float[]? Vector { get; init; }

    /// <summary>Whether the hits' records must carry their embeddings. False lets a store leave
    /// <see cref="Model.MemoryRecord.Embedding"/> null on the records it reads for this search (PostgreSQL
    /// then neither sends nor parses a vector per candidate); the records are for reading, not to write back.</summary>
    public bool WithEmbeddings { get; init; } = true;
}

/// <summary>The answers of a <see cref="SignalSearch"/>, best first each.</summary>
public sealed record SignalHits(IReadOnlyList<ScoredMemory> Vector, IReadOnlyList<ScoredMemory> Text, IReadOnlyList<ScoredMemory> ContentText)
{
    public static readonly SignalHits None = new([], [], []);
}
