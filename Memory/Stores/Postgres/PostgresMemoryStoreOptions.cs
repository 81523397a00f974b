namespace Agents.Memory.Stores.Postgres;

/// <summary>Options of the PostgreSQL store (bind from "Memory:Postgres").</summary>
public sealed class PostgresMemoryStoreOptions
{
    /// <summary>HNSW candidate list size per search (<c>hnsw.ef_search</c>); raised to 2·k when k is larger.
    /// Higher finds more of the true nearest neighbours, slower.</summary>
    public int EfSearch { get; set; } = 100;

    /// <summary>Rows per round trip in <see cref="IMemoryStore.AddBatchAsync"/>.</summary>
    public int BatchSize { get; set; } = 500;
}
