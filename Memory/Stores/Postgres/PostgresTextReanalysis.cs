using Agents.Memory.Stores.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// Gives the records on <c>memory_text_reanalysis</c> the store's own analysis of their texts (migration
/// 0105): those stored before it, whose tsvectors PostgreSQL's <c>to_tsvector</c> made, and any inserted since
/// by a writer that left the tsvectors to the insert trigger. Runs at start-up, after the migrations and before
/// the store serves: a batch of records per transaction, its ids taken off the list with the rows' new
/// values, so a crash or a second silo doing the same loses nothing and repeats nothing.
/// </summary>
public static class PostgresTextReanalysis
{
    /// <summary>Records per transaction.</summary>
    public const int BatchSize = 500;

    /// <summary>Re-analyses every record on the list; returns how many it rewrote.</summary>
    public static async Task<long> RunAsync(NpgsqlDataSource dataSource, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        logger ??= NullLogger.Instance;
        long rewritten = 0;
        for (var batches = 1; ; batches++)
        {
            var (taken, done) = await RunBatchAsync(dataSource, cancellationToken).ConfigureAwait(false);
            rewritten += done;
            if (taken == 0) break;
            if (batches % 20 == 0) logger.LogInformation("Re-analysed the texts of {Records} memory records so far", rewritten);
        }
        if (rewritten > 0) logger.LogInformation("Re-analysed the texts of {Records} memory records (migration 0105)", rewritten);
        return rewritten;
    }

    // One transaction: take up to a batch of ids off the list (skipping those another silo holds), read their
    // texts (a record's search_text is MemorySearchText's composition of it, so its analysis is what a write
    // of the record gives), write their analysis. Returns how many ids it took and how many records it rewrote.
    private static async Task<(int Taken, int Rewritten)> RunBatchAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<Guid>();
        await using (var take = new NpgsqlCommand("""
            DELETE FROM memory_text_reanalysis WHERE id IN (
                SELECT id FROM memory_text_reanalysis ORDER BY id LIMIT @batch FOR UPDATE SKIP LOCKED)
            RETURNING id
            """, connection, transaction))
        {
            take.Parameters.Add(new NpgsqlParameter<int>("batch", BatchSize));
            await using var reader = await take.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) ids.Add(reader.GetGuid(0));
        }
        if (ids.Count == 0) return (0, 0);
        // Locked until the commit, so a write of the same record waits and then stores its own analysis.
        var rows = new List<(Guid Id, RecordText Text)>(ids.Count);
        await using (var read = new NpgsqlCommand("SELECT id, search_text, content FROM memory_records WHERE id = ANY(@ids) FOR UPDATE", connection, transaction))
        {
            read.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", [.. ids]));
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                rows.Add((reader.GetGuid(0), new RecordText(TextAnalyzer.Analyze(reader.GetString(1)), TextAnalyzer.Analyze(reader.GetString(2)))));
        }
        if (rows.Count > 0)
        {
            await using var update = new NpgsqlCommand("""
                UPDATE memory_records r SET search = v.search, content_search = v.content_search,
                    search_length = v.search_length, content_length = v.content_length
                FROM unnest($1::uuid[], $2::tsvector[], $3::tsvector[], $4::integer[], $5::integer[])
                    AS v(id, search, content_search, search_length, content_length)
                WHERE r.id = v.id
                """, connection, transaction);
            update.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. rows.Select(static r => r.Id)] });
            PostgresWriteStatements.AddTexts(update.Parameters, rows.Select(static r => r.Text));
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (ids.Count, rows.Count);
    }
}
