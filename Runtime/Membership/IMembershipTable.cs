namespace Agents.Runtime.Membership;

/// <summary>
/// Cluster membership storage, after Orleans' <c>IMembershipTable</c>: a version row per cluster and a
/// row per silo. Insert and Update succeed only when <paramref name="tableVersion"/>'s ETag still
/// matches the stored version row (and, for Update, the row's own ETag matches); they return false on
/// a lost race rather than throwing, and the caller re-reads and retries.
/// </summary>
public interface IMembershipTable
{
    /// <summary>Creates the cluster's version row if absent (idempotent).</summary>
    Task InitializeAsync(CancellationToken cancellationToken);
    Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken);
    Task<MembershipTableData> ReadRowAsync(SiloAddress silo, CancellationToken cancellationToken);
    Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken);
    Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken);
    /// <summary>Heartbeat: writes only the I-am-alive time; does not touch the version row.</summary>
    Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken);
    /// <summary>Removes rows of silos that are not Active (dead, or crashed while joining or shutting down)
    /// whose I-am-alive time is older than <paramref name="beforeDate"/>. Does not bump the version.</summary>
    Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken);
    Task DeleteClusterAsync(CancellationToken cancellationToken);
}
