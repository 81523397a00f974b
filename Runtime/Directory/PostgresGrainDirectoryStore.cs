using Agents.Abstractions;
using Agents.Runtime.Membership;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Agents.Runtime.Directory;

/// <summary>
/// <see cref="IGrainDirectoryStore"/> over PostgreSQL (table <c>runtime_grain_directory</c>, migration 0010),
/// keyed by (cluster, grain id). Registration is one statement: insert, or on conflict replace the row only
/// if it is exactly the dead registration the caller names; when neither happens the standing row is read
/// back. A grain therefore has one registration cluster-wide, whatever the races.
/// </summary>
public sealed partial class PostgresGrainDirectoryStore : IGrainDirectoryStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _clusterId;
    private readonly ILogger _logger;

    public PostgresGrainDirectoryStore(NpgsqlDataSource dataSource, string clusterId, ILogger<PostgresGrainDirectoryStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        _dataSource = dataSource;
        _clusterId = clusterId;
        _logger = logger ?? NullLogger<PostgresGrainDirectoryStore>.Instance;
    }

    public async Task<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previous, CancellationToken cancellationToken)
    {
        GrainDirectoryValidation.Validate(address, previous);
        while (true)
        {
            await using (var register = _dataSource.CreateCommand("""
                INSERT INTO runtime_grain_directory AS d (cluster_id, grain_id, silo_address, activation_id)
                VALUES (@cluster, @grain, @silo, @activation)
                ON CONFLICT (cluster_id, grain_id) DO UPDATE
                    SET silo_address = excluded.silo_address, activation_id = excluded.activation_id, registered_at = now()
                    WHERE d.silo_address = @previous_silo AND d.activation_id = @previous_activation
                RETURNING silo_address, activation_id
                """))
            {
                register.Parameters.AddWithValue("cluster", _clusterId);
                register.Parameters.AddWithValue("grain", address.Grain.ToString());
                register.Parameters.AddWithValue("silo", address.Silo.ToString());
                register.Parameters.AddWithValue("activation", address.ActivationId);
                // With no previous registration the WHERE compares with NULL and never replaces.
                register.Parameters.AddWithValue("previous_silo", (object?)previous?.Silo.ToString() ?? DBNull.Value);
                register.Parameters.AddWithValue("previous_activation", (object?)previous?.ActivationId ?? DBNull.Value);
                await using var reader = await register.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (previous is not null)
                        LogReplaced(_logger, address.Grain, previous.Silo, address.Silo);
                    return address;
                }
            }

            var standing = await LookupAsync(address.Grain, cancellationToken).ConfigureAwait(false);
            if (standing is not null)
                return standing;
            // The standing registration was removed between the two statements: try again.
        }
    }

    public async Task<GrainAddress?> LookupAsync(GrainId grain, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT silo_address, activation_id FROM runtime_grain_directory WHERE cluster_id = @cluster AND grain_id = @grain");
        command.Parameters.AddWithValue("cluster", _clusterId);
        command.Parameters.AddWithValue("grain", grain.ToString());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        return new GrainAddress(grain, SiloAddress.Parse(reader.GetString(0)), reader.GetGuid(1));
    }

    public async Task UnregisterAsync(GrainAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        await using var command = _dataSource.CreateCommand("""
            DELETE FROM runtime_grain_directory
            WHERE cluster_id = @cluster AND grain_id = @grain AND silo_address = @silo AND activation_id = @activation
            """);
        command.Parameters.AddWithValue("cluster", _clusterId);
        command.Parameters.AddWithValue("grain", address.Grain.ToString());
        command.Parameters.AddWithValue("silo", address.Silo.ToString());
        command.Parameters.AddWithValue("activation", address.ActivationId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> UnregisterSilosAsync(IReadOnlyCollection<SiloAddress> silos, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silos);
        if (silos.Count == 0)
            return 0;
        await using var command = _dataSource.CreateCommand(
            "DELETE FROM runtime_grain_directory WHERE cluster_id = @cluster AND silo_address = ANY(@silos)");
        command.Parameters.AddWithValue("cluster", _clusterId);
        command.Parameters.AddWithValue("silos", silos.Select(s => s.ToString()).ToArray());
        var removed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        LogSilosUnregistered(_logger, removed, silos.Count);
        return removed;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replaced dead registration of {Grain} on {DeadSilo} with {Silo}")]
    private static partial void LogReplaced(ILogger logger, GrainId grain, SiloAddress deadSilo, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} directory registrations of {SiloCount} dead silos")]
    private static partial void LogSilosUnregistered(ILogger logger, int count, int siloCount);
}
