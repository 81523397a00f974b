using Agents.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Agents.Runtime.Storage;

/// <summary>
/// <see cref="IGrainStateStore"/> over PostgreSQL (table <c>runtime_grain_state</c>, migration 0010), one
/// row per (service, state name, grain). The version column is the ETag: an update names the version it
/// read (<c>UPDATE ... WHERE version = @etag</c>), a first write inserts with <c>ON CONFLICT</c> so that of
/// two concurrent first writes exactly one succeeds. A lost race is an <see cref="InconsistentStateException"/>.
/// </summary>
public sealed class PostgresGrainStateStore : IGrainStateStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _serviceId;

    public PostgresGrainStateStore(NpgsqlDataSource dataSource, string serviceId)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        _dataSource = dataSource;
        _serviceId = serviceId;
    }

    public async Task<StoredGrainState> ReadAsync(string stateName, GrainId grain, CancellationToken cancellationToken)
    {
        GrainStateETags.ValidateKey(stateName, grain);
        await using var command = _dataSource.CreateCommand("""
            SELECT payload, version FROM runtime_grain_state
            WHERE service_id = @service AND state_name = @state AND grain_id = @grain AND payload IS NOT NULL
            """);
        AddKey(command, stateName, grain);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return new StoredGrainState(ReadOnlyMemory<byte>.Empty, null);
        return new StoredGrainState(reader.GetFieldValue<byte[]>(0), GrainStateETags.Format(reader.GetInt32(1)));
    }

    public async Task<string> WriteAsync(string stateName, GrainId grain, ReadOnlyMemory<byte> payload, string? etag, CancellationToken cancellationToken)
    {
        GrainStateETags.ValidateKey(stateName, grain);
        var expected = GrainStateETags.Parse(etag);
        // A first write inserts, or revives a cleared row (NULL payload) keeping its version sequence;
        // it never overwrites stored state. A later write must name the version it read.
        await using var command = _dataSource.CreateCommand(expected is null
            ? """
              INSERT INTO runtime_grain_state AS s (service_id, state_name, grain_id, payload, version)
              VALUES (@service, @state, @grain, @payload, 1)
              ON CONFLICT (service_id, state_name, grain_id) DO UPDATE
                  SET payload = excluded.payload, version = s.version + 1, modified_at = now()
                  WHERE s.payload IS NULL
              RETURNING version
              """
            : """
              UPDATE runtime_grain_state SET payload = @payload, version = version + 1, modified_at = now()
              WHERE service_id = @service AND state_name = @state AND grain_id = @grain
                AND version = @etag AND payload IS NOT NULL
              RETURNING version
              """);
        AddKey(command, stateName, grain);
        command.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("payload", NpgsqlDbType.Bytea) { TypedValue = payload });
        if (expected is not null)
            command.Parameters.AddWithValue("etag", expected.Value);
        var version = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return version is int written
            ? GrainStateETags.Format(written)
            : throw GrainStateETags.Conflict(stateName, grain, etag);
    }

    public async Task ClearAsync(string stateName, GrainId grain, string? etag, CancellationToken cancellationToken)
    {
        GrainStateETags.ValidateKey(stateName, grain);
        var expected = GrainStateETags.Parse(etag);
        if (expected is null)
        {
            // Clearing what the caller believes is nothing: fine unless someone stored state meanwhile.
            await using var probe = _dataSource.CreateCommand("""
                SELECT 1 FROM runtime_grain_state
                WHERE service_id = @service AND state_name = @state AND grain_id = @grain AND payload IS NOT NULL
                """);
            AddKey(probe, stateName, grain);
            if (await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
                throw GrainStateETags.Conflict(stateName, grain, etag);
            return;
        }

        // Keep a tombstone with a bumped version: an ETag read before the clear never matches again.
        await using var command = _dataSource.CreateCommand("""
            UPDATE runtime_grain_state SET payload = NULL, version = version + 1, modified_at = now()
            WHERE service_id = @service AND state_name = @state AND grain_id = @grain
              AND version = @etag AND payload IS NOT NULL
            """);
        AddKey(command, stateName, grain);
        command.Parameters.AddWithValue("etag", expected.Value);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            throw GrainStateETags.Conflict(stateName, grain, etag);
    }

    private void AddKey(NpgsqlCommand command, string stateName, GrainId grain)
    {
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("state", stateName);
        command.Parameters.AddWithValue("grain", grain.ToString());
    }
}
