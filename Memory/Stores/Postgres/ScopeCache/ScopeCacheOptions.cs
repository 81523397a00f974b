namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>Limits of the PostgreSQL store's in-process copies of held scopes (<see cref="HeldScopes"/>).</summary>
public sealed class ScopeCacheOptions
{
    /// <summary>Whether held scopes are copied at all (false: every read goes to SQL).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A held scope with more records than this is not copied; its reads go to SQL (HNSW serves
    /// large scopes better than a scan in process).</summary>
    public int MaxRecordsPerScope { get; set; } = 10_000;

    /// <summary>Records copied across every held scope; past it, the least recently read copies are
    /// dropped (and loaded again when next read). About 5 kB each with a 384-d embedding.</summary>
    public int MaxRecords { get; set; } = 100_000;

    public void Validate()
    {
        if (MaxRecordsPerScope < 1) throw new ArgumentOutOfRangeException(nameof(MaxRecordsPerScope), MaxRecordsPerScope, "Must be at least 1.");
        if (MaxRecords < MaxRecordsPerScope) throw new ArgumentOutOfRangeException(nameof(MaxRecords), MaxRecords, $"Must be at least MaxRecordsPerScope ({MaxRecordsPerScope}).");
    }
}
