using Agents.Memory.Stores;

namespace Agents.Memory.Retrieval;

/// <summary>A search over memories: the query text, which records (scope, kinds, tags, as-of), how many, and the lowest score kept.</summary>
public sealed record MemorySearchRequest(string Query, MemoryFilter Filter)
{
    public int TopK { get; init; } = 10;
    public double? MinScore { get; init; }
}

/// <summary>
/// Read side of the memory engine. <see cref="Engine.MemoryEngine.SearchAsync"/> delegates to it; the
/// hybrid retriever (vector + full text + graph expansion, fused) implements it. Declared here, minimal,
/// so the engine does not depend on how retrieval is done.
/// </summary>
public interface IMemoryRetriever
{
    Task<IReadOnlyList<ScoredMemory>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken);
}
