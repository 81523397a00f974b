using System.Collections.Concurrent;

namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// Scopes a search found above a size that picks its path, by key, so the next searches take that path
/// without asking first: a vector search sends the index branch alone (<see cref="VectorSearchBranch"/>;
/// its statement still checks, so the memory needs no end), a full-text search skips the count of up to
/// <see cref="PostgresMemoryStoreOptions.Bm25MaxRecords"/> + 1 rows (~3-5 ms at 20,001; nothing checks, so
/// it holds for <see cref="PostgresMemoryStoreOptions.TextStatisticsLifetime"/>, and a scope that shrinks
/// below the limit meanwhile is ranked with the table's statistics until then).
/// </summary>
internal sealed class LargeScopes(TimeSpan lifetime, TimeProvider time)
{
    // Past this many, forgotten all at once (each then costs one check more).
    private const int MaxScopes = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _foundAt = new(StringComparer.Ordinal);

    public bool IsLarge(string key) =>
        _foundAt.TryGetValue(key, out var at) && (lifetime == Timeout.InfiniteTimeSpan || time.GetUtcNow() - at < lifetime);

    public void Found(string key)
    {
        if (lifetime == TimeSpan.Zero) return;
        if (_foundAt.Count >= MaxScopes) _foundAt.Clear();
        _foundAt[key] = time.GetUtcNow();
    }

    public void Forget(string key) => _foundAt.TryRemove(key, out _);
}
