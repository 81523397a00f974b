namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// The part of a vector search a statement carries. A statement with both branches is planned for every
/// execution (a generic plan would fix one access path for scopes of every size), and each mention of
/// <c>memory_records</c> is planned with all the table's indexes: with both branches a search took ~0.9 ms
/// to plan, of ~2.5 ms on 100,000 rows; the exact pass alone ~0.7 ms, the index alone ~0.55. So a scope's
/// search sends the branch it took last (<see cref="LargeScopes"/>), planned once (<see cref="VectorSearchPlan"/>).
/// The statement still checks the scope's size, so a wrong guess (the scope grew past the threshold, or
/// shrank below it) costs a round trip, never a wrong answer: it returns a row of nulls, and the search
/// goes again with both branches.
/// </summary>
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
