using System.Collections.Concurrent;

namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// Scope filters whose full-text search was found above <see cref="PostgresMemoryStoreOptions.Bm25MaxRecords"/>
/// rows, so that the next searches go straight to <see cref="PostgresLargeTextSearch"/> for
/// <see cref="PostgresMemoryStoreOptions.TextStatisticsLifetime"/>. Finding it costs a count of up to
/// Bm25MaxRecords + 1 rows (~3-5 ms at 20,001), in each of a hybrid search's text searches. A scope that
/// shrinks below the limit meanwhile is still ranked with the table's statistics until then.
/// </summary>
internal sealed class LargeTextScopes(TimeSpan lifetime, TimeProvider time)
{
    // Past this many, forgotten all at once (each then costs one count more).
    private const int MaxScopes = 10_000;

    private readonly ConcurrentDictionary<string, long> _foundAt = new(StringComparer.Ordinal);

    public bool IsLarge(string key) => _foundAt.TryGetValue(key, out var at) && time.GetElapsedTime(at) < lifetime;

    public void Found(string key)
    {
        if (lifetime <= TimeSpan.Zero) return;
        if (_foundAt.Count >= MaxScopes) _foundAt.Clear();
        _foundAt[key] = time.GetTimestamp();
    }
}
