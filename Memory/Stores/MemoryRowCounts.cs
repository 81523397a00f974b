namespace Agents.Memory.Stores;

/// <summary>Rows a store holds for one tenant (diagnostics, and proof that an erasure was complete).</summary>
public readonly record struct MemoryRowCounts(long Records, long Embeddings, long Edges, long History, long Jobs)
{
    public long Total => Records + Embeddings + Edges + History + Jobs;
}
