using Agents.Memory.Stores.Postgres.ScopeCache;

namespace Agents.Memory.Stores.Postgres;

/// <summary>Options of the PostgreSQL store (the silo binds "Agents:Memory:Postgres").</summary>
public sealed class PostgresMemoryStoreOptions
{
    /// <summary>HNSW candidate list size per search (<c>hnsw.ef_search</c>); raised to 2·k when k is larger.
    /// Higher finds more of the true nearest neighbours, slower. 128 for the index's cheaper graph
    /// (migration 0098: m 8, ef_construction 48): recall@10 0.971-0.991 on the store benchmark, 0.978 at
    /// 100.</summary>
    public int EfSearch { get; set; } = 128;

    /// <summary>A search whose filter leaves at most this many rows with embeddings is answered exactly,
    /// by the scope indexes and a sort, instead of by HNSW: for a small scope (one user among many) the
    /// index walk visits mostly other scopes' rows, while scoring a few thousand rows directly is both
    /// faster and exact. The database's own minimum for the index (<c>memory_vector_index_policy</c>,
    /// migration 0094: only scopes above it are indexed at all) raises it; 0 leaves just that minimum.</summary>
    public int ExactSearchThreshold { get; set; } = 2000;

    /// <summary>Full-text search over a filter of at most this many rows ranks its matches by BM25 with the
    /// filter's own statistics, all in one statement. Above it, BM25 with the whole table's statistics (as
    /// the embedded store ranks with its whole store's), estimated by ANALYZE, and with its matches pruned to
    /// those that can reach the top k (a common word can match most of a very large scope; reading every
    /// match would take about a second at 100,000). 0: always the latter.</summary>
    public int Bm25MaxRecords { get; set; } = 20_000;

    /// <summary>How long what a full-text search above <see cref="Bm25MaxRecords"/> learns is reused: the table
    /// statistics it weighs terms by (the most common lexemes, the row count and the average length, as
    /// ANALYZE left them; autovacuum analyses a growing table at most once per <c>autovacuum_naptime</c>),
    /// and that a scope is above the limit (its searches then skip the count that tells; one that shrinks
    /// below meanwhile is ranked with the table's statistics until then). Zero reads and counts for every
    /// search.</summary>
    public TimeSpan TextStatisticsLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The in-process copies of held scopes (<see cref="PostgresMemoryStore.HoldScope"/>).</summary>
    public ScopeCacheOptions ScopeCache { get; set; } = new();
}
