using System.Collections.Concurrent;

namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// The last <see cref="TableTextStatistics"/> read per column, reused for
/// <see cref="PostgresMemoryStoreOptions.TextStatisticsLifetime"/>. Reading them from <c>pg_stats</c> took
/// ~4 ms of a large scope's search; they change only when the table is analysed, which autovacuum does at
/// most once per naptime.
/// </summary>
internal sealed class TableTextStatisticsCache(TimeSpan lifetime, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (TableTextStatistics Statistics, DateTimeOffset ReadAt)> _byColumn = new(StringComparer.Ordinal);

    public async Task<TableTextStatistics> GetAsync(string column, Func<CancellationToken, Task<TableTextStatistics>> read, CancellationToken cancellationToken)
    {
        if (_byColumn.TryGetValue(column, out var cached) && time.GetUtcNow() - cached.ReadAt < lifetime) return cached.Statistics;
        var readAt = time.GetUtcNow();
        var statistics = await read(cancellationToken).ConfigureAwait(false);
        // A lifetime of zero reads them for every search.
        if (lifetime > TimeSpan.Zero) _byColumn[column] = (statistics, readAt);
        return statistics;
    }
}
