namespace Agents.Runtime.Membership;

/// <summary>The cluster has no version row: <see cref="IMembershipTable.InitializeAsync"/> was not
/// called, or the cluster was deleted.</summary>
public sealed class MembershipTableNotInitializedException(string clusterId)
    : InvalidOperationException($"Membership cluster '{clusterId}' has no version row; call InitializeAsync first (or the cluster was deleted).")
{
    public string ClusterId { get; } = clusterId;
}
