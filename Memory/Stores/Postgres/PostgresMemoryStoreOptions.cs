namespace Agents.Memory.Stores.Postgres;

/// <summary>Options of the PostgreSQL store (bind from "Memory:Postgres").</summary>
public sealed class PostgresMemoryStoreOptions
{
    /// <summary>HNSW candidate list size per search (<c>hnsw.ef_search</c>); raised to 2·k when k is larger.
    /// Higher finds more of the true nearest neighbours, slower.</summary>
    public int EfSearch { get; set; } = 100;

    /// <summary>A search whose filter leaves at most this many rows with embeddings is answered exactly,
    /// by the scope indexes and a sort, instead of by HNSW: for a small scope (one user among many) the
    /// index walk visits mostly other scopes' rows, while scoring a few thousand rows directly is both
    /// faster and exact. 0 turns it off.</summary>
    public int ExactSearchThreshold { get; set; } = 2000;

    /// <summary>Rows per round trip in <see cref="IMemoryStore.AddBatchAsync"/>.</summary>
    public int BatchSize { get; set; } = 500;
}
