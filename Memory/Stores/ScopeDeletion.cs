namespace Agents.Memory.Stores;

/// <summary>What deleting a scope removed (every row, so a caller can show a GDPR erasure was complete).</summary>
public readonly record struct ScopeDeletion(long Records, long Embeddings, long Edges, long History, long Jobs)
{
    public long Total => Records + Edges + History + Jobs;
}
