using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Agents.Runtime.Membership;

/// <summary>
/// <see cref="IMembershipTable"/> over PostgreSQL (tables <c>runtime_membership_version</c> and
/// <c>runtime_membership_silo</c>, migration 0010). Each insert or update is one transaction whose first
/// statement is the compare-and-swap on the cluster's version row: the row lock it takes serialises
/// concurrent writers, and the loser's <c>WHERE version = @expected</c> matches nothing.
/// </summary>
public sealed partial class PostgresMembershipTable : IMembershipTable, IMembershipChangeFeed
{
    /// <summary>The NOTIFY channel membership changes are announced on; the payload is the cluster id.</summary>
    public const string NotificationChannel = "runtime_membership";

    private const string SiloColumns =
        "address, port, generation, silo_name, host_name, status, gateway_port, roles, suspecters, suspect_times, start_time, i_am_alive_time, etag";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _clusterId;
    private readonly ILogger _logger;

    public PostgresMembershipTable(NpgsqlDataSource dataSource, string clusterId, ILogger<PostgresMembershipTable>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        _dataSource = dataSource;
        _clusterId = clusterId;
        _logger = logger ?? NullLogger<PostgresMembershipTable>.Instance;
    }

    public string ClusterId => _clusterId;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            "INSERT INTO runtime_membership_version (cluster_id) VALUES (@cluster) ON CONFLICT (cluster_id) DO NOTHING");
        command.Parameters.AddWithValue("cluster", _clusterId);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            LogClusterCreated(_logger, _clusterId);
    }

    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken) => ReadAsync(null, cancellationToken);

    public Task<MembershipTableData> ReadRowAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return ReadAsync(silo, cancellationToken);
    }

    private async Task<MembershipTableData> ReadAsync(SiloAddress? silo, CancellationToken cancellationToken)
    {
        // One statement, so the version and the rows come from one snapshot.
        var filter = silo is null ? "" : " AND s.address = @address AND s.port = @port AND s.generation = @generation";
        await using var command = _dataSource.CreateCommand($"""
            SELECT v.version, {string.Join(", ", SiloColumns.Split(", ").Select(c => "s." + c))}
            FROM runtime_membership_version v
            LEFT JOIN runtime_membership_silo s ON s.cluster_id = v.cluster_id{filter}
            WHERE v.cluster_id = @cluster
            """);
        command.Parameters.AddWithValue("cluster", _clusterId);
        if (silo is not null)
            AddKey(command, silo);

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        int? version = null;
        var members = new List<(MembershipEntry, string)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            version = reader.GetInt32(0);
            if (!reader.IsDBNull(1))
                members.Add(ReadSilo(reader, 1));
        }
        if (version is null)
            throw new MembershipTableNotInitializedException(_clusterId);
        return new MembershipTableData(new TableVersion(version.Value, MembershipETags.Format(version.Value)), members);
    }

    public async Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken)
    {
        MembershipETags.Validate(entry);
        var (expected, next) = MembershipETags.ParseTransition(tableVersion);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await TryBumpVersionAsync(connection, transaction, expected, next, cancellationToken).ConfigureAwait(false))
            return false;

        await using var insert = new NpgsqlCommand($"""
            INSERT INTO runtime_membership_silo (cluster_id, {SiloColumns})
            VALUES (@cluster, @address, @port, @generation, @silo_name, @host_name, @status, @gateway_port, @roles,
                    @suspecters, @suspect_times, @start_time, @i_am_alive_time, 0)
            ON CONFLICT (cluster_id, address, port, generation) DO NOTHING
            """, connection, transaction);
        AddEntry(insert, entry);
        if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken)
    {
        MembershipETags.Validate(entry);
        var rowETag = MembershipETags.Parse(etag, nameof(etag));
        var (expected, next) = MembershipETags.ParseTransition(tableVersion);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await TryBumpVersionAsync(connection, transaction, expected, next, cancellationToken).ConfigureAwait(false))
            return false;

        await using var update = new NpgsqlCommand("""
            UPDATE runtime_membership_silo
            SET silo_name = @silo_name, host_name = @host_name, status = @status, gateway_port = @gateway_port,
                roles = @roles, suspecters = @suspecters, suspect_times = @suspect_times,
                start_time = @start_time, i_am_alive_time = @i_am_alive_time, etag = etag + 1
            WHERE cluster_id = @cluster AND address = @address AND port = @port AND generation = @generation
              AND etag = @etag
            """, connection, transaction);
        AddEntry(update, entry);
        update.Parameters.AddWithValue("etag", rowETag);
        if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var command = _dataSource.CreateCommand("""
            UPDATE runtime_membership_silo SET i_am_alive_time = @i_am_alive_time
            WHERE cluster_id = @cluster AND address = @address AND port = @port AND generation = @generation
            """);
        command.Parameters.AddWithValue("cluster", _clusterId);
        AddKey(command, entry.Silo);
        command.Parameters.AddWithValue("i_am_alive_time", NpgsqlDbType.TimestampTz, entry.IAmAliveTime.UtcDateTime);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            await ThrowIfClusterMissingAsync(cancellationToken).ConfigureAwait(false);
            throw new KeyNotFoundException($"Silo {entry.Silo} has no row in membership cluster '{_clusterId}'; it must join before it heartbeats.");
        }
    }

    public async Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken)
    {
        // Same rule as MembershipCleanup.IsDefunct.
        await using var command = _dataSource.CreateCommand("""
            DELETE FROM runtime_membership_silo
            WHERE cluster_id = @cluster AND status <> @active AND i_am_alive_time < @before
            """);
        command.Parameters.AddWithValue("cluster", _clusterId);
        command.Parameters.AddWithValue("active", (short)SiloStatus.Active);
        command.Parameters.AddWithValue("before", NpgsqlDbType.TimestampTz, beforeDate.UtcDateTime);
        var removed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (removed > 0)
            LogDefunctRemoved(_logger, removed, _clusterId, beforeDate);
    }

    public async Task DeleteClusterAsync(CancellationToken cancellationToken)
    {
        // Silo rows go with the version row (ON DELETE CASCADE).
        await using var command = _dataSource.CreateCommand("DELETE FROM runtime_membership_version WHERE cluster_id = @cluster");
        command.Parameters.AddWithValue("cluster", _clusterId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        LogClusterDeleted(_logger, _clusterId);
    }

    private async Task<bool> TryBumpVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int expected, int next, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            UPDATE runtime_membership_version SET version = @next, updated_at = now()
            WHERE cluster_id = @cluster AND version = @expected
            """, connection, transaction);
        command.Parameters.AddWithValue("cluster", _clusterId);
        command.Parameters.AddWithValue("expected", expected);
        command.Parameters.AddWithValue("next", next);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
        {
            // Delivered to listeners only if (and when) this transaction commits.
            await using var notify = new NpgsqlCommand($"SELECT pg_notify('{NotificationChannel}', @cluster)", connection, transaction);
            notify.Parameters.AddWithValue("cluster", _clusterId);
            await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        // A lost race is a plain false; a missing cluster is a mistake worth naming.
        await ThrowIfClusterMissingAsync(cancellationToken).ConfigureAwait(false);
        return false;
    }

    private async Task ThrowIfClusterMissingAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT 1 FROM runtime_membership_version WHERE cluster_id = @cluster");
        command.Parameters.AddWithValue("cluster", _clusterId);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            throw new MembershipTableNotInitializedException(_clusterId);
    }

    public async Task<IMembershipChangeSubscription> SubscribeAsync(CancellationToken cancellationToken)
    {
        // A dedicated connection: notifications arrive on the connection that listens.
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var subscription = new NotificationSubscription(connection, _clusterId);
            await using var listen = new NpgsqlCommand($"LISTEN {NotificationChannel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return subscription;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class NotificationSubscription : IMembershipChangeSubscription
    {
        private readonly NpgsqlConnection _connection;
        private readonly string _clusterId;
        private bool _changed;

        public NotificationSubscription(NpgsqlConnection connection, string clusterId)
        {
            _connection = connection;
            _clusterId = clusterId;
            _connection.Notification += OnNotification;
        }

        // Raised on the thread running WaitAsync below, so no synchronisation is needed.
        private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
        {
            if (e.Channel == NotificationChannel && e.Payload == _clusterId)
                _changed = true;
        }

        public async Task WaitForChangeAsync(CancellationToken cancellationToken)
        {
            while (!_changed)
                await _connection.WaitAsync(cancellationToken).ConfigureAwait(false);
            _changed = false;
        }

        public async ValueTask DisposeAsync()
        {
            _connection.Notification -= OnNotification;
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void AddKey(NpgsqlCommand command, SiloAddress silo)
    {
        command.Parameters.AddWithValue("address", silo.Endpoint.Address.ToString());
        command.Parameters.AddWithValue("port", silo.Endpoint.Port);
        command.Parameters.AddWithValue("generation", silo.Generation);
    }

    private void AddEntry(NpgsqlCommand command, MembershipEntry entry)
    {
        command.Parameters.AddWithValue("cluster", _clusterId);
        AddKey(command, entry.Silo);
        command.Parameters.AddWithValue("silo_name", entry.SiloName);
        command.Parameters.AddWithValue("host_name", entry.HostName);
        command.Parameters.AddWithValue("status", (short)entry.Status);
        command.Parameters.AddWithValue("gateway_port", entry.GatewayPort);
        command.Parameters.AddWithValue("roles", entry.Roles.ToArray());
        command.Parameters.AddWithValue("suspecters", entry.SuspectTimes.Select(v => v.Suspecter.ToString()).ToArray());
        command.Parameters.AddWithValue("suspect_times", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, entry.SuspectTimes.Select(v => v.At.UtcDateTime).ToArray());
        command.Parameters.AddWithValue("start_time", NpgsqlDbType.TimestampTz, entry.StartTime.UtcDateTime);
        command.Parameters.AddWithValue("i_am_alive_time", NpgsqlDbType.TimestampTz, entry.IAmAliveTime.UtcDateTime);
    }

    private static (MembershipEntry, string) ReadSilo(NpgsqlDataReader reader, int first)
    {
        var silo = new SiloAddress(
            new IPEndPoint(IPAddress.Parse(reader.GetString(first)), reader.GetInt32(first + 1)),
            reader.GetInt32(first + 2));
        var suspecters = reader.GetFieldValue<string[]>(first + 8);
        var suspectTimes = reader.GetFieldValue<DateTime[]>(first + 9);
        var votes = new SuspectVote[suspecters.Length];
        for (var i = 0; i < votes.Length; i++)
            votes[i] = new SuspectVote(SiloAddress.Parse(suspecters[i]), Utc(suspectTimes[i]));
        var entry = new MembershipEntry
        {
            Silo = silo,
            SiloName = reader.GetString(first + 3),
            HostName = reader.GetString(first + 4),
            Status = (SiloStatus)reader.GetInt16(first + 5),
            GatewayPort = reader.GetInt32(first + 6),
            Roles = reader.GetFieldValue<string[]>(first + 7),
            SuspectTimes = votes,
            StartTime = Utc(reader.GetFieldValue<DateTime>(first + 10)),
            IAmAliveTime = Utc(reader.GetFieldValue<DateTime>(first + 11)),
        };
        return (entry, MembershipETags.Format(reader.GetInt32(first + 12)));
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    [LoggerMessage(Level = LogLevel.Information, Message = "Created membership cluster {ClusterId}")]
    private static partial void LogClusterCreated(ILogger logger, string clusterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} defunct silo rows of cluster {ClusterId} not alive since {Before}")]
    private static partial void LogDefunctRemoved(ILogger logger, int count, string clusterId, DateTimeOffset before);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted membership cluster {ClusterId}")]
    private static partial void LogClusterDeleted(ILogger logger, string clusterId);
}
