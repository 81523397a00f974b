namespace Agents.Memory.Stores.Postgres;

/// <summary>The part of a vector search a statement carries (<see cref="ScopeVectorBranches"/>).</summary>
internal enum VectorSearchBranch
{
    /// <summary>The exact pass and the index, the filter's size choosing between them in the statement: it
    /// always answers, never hands its search on.</summary>
    Both,

    /// <summary>The exact pass alone, for a scope of at most the exact-search threshold.</summary>
    Exact,

    /// <summary>The HNSW index alone, for a larger scope.</summary>
    Index,
}
