namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// How a vector search's statement is planned. A statement that carries one branch of a scope's search
/// (<see cref="VectorSearchBranch"/>) has one sensible access path, so it is planned once per connection
/// (a generic plan) instead of at every execution, about a fifth of the search's server time (0.44-0.60
/// ms of planning on 100,000 rows). The access path is fixed by the settings, whatever the statistics when
/// the plan is made: the index branch reads the HNSW index in distance order (no sort, no bitmap, no
/// scan of the table); the exact branch of a scope with one id reads one of that id's indexes (the costs
/// pick which, as they would per execution; the covering one of migration 0097 once the table is
/// vacuumed and large). ANALYZE invalidates the plan, so it follows the statistics. A scope with several
/// ids is planned per execution: which id's index to read depends on their sizes, which only the values tell.
/// </summary>
internal sealed record VectorSearchPlan(string Settings, string? Reset)
{
    /// <summary>Per execution, with the server's settings.</summary>
    public static VectorSearchPlan PerExecution { get; } = new("", null);

    /// <summary>The HNSW index in distance order, planned once.</summary>
    public static VectorSearchPlan IndexOnce { get; } = new(
        ", set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'off', true), " +
        "set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)",
        ResetSql);

    /// <summary>One of the scope's id's indexes, planned once (its top k still sorted).</summary>
    public static VectorSearchPlan ExactOnce { get; } = new(
        ", set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'off', true), " +
        "set_config('enable_bitmapscan', 'off', true)",
        ResetSql);

    // Back to the values the session started with (the server's, or the connection's), for the statements
    // after the search in the same batch.
    private const string ResetSql =
        "SELECT set_config(name, reset_val, true) FROM pg_settings WHERE name IN ('plan_cache_mode', 'enable_seqscan', 'enable_bitmapscan', 'enable_sort')";

    /// <summary>The plan for a statement carrying <paramref name="branch"/> of a search whose filter is its scope
    /// with <paramref name="scopeIds"/> ids (0: a filter of more than its scope).</summary>
    public static VectorSearchPlan For(VectorSearchBranch branch, int scopeIds) => branch switch
    {
        VectorSearchBranch.Index when scopeIds > 0 => IndexOnce,
        VectorSearchBranch.Exact when scopeIds == 1 => ExactOnce,
        _ => PerExecution,
    };
}
