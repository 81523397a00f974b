using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace Agents.Silo.Operations;

/// <summary>Ready only while this silo is an active member of its cluster and not stopping: a silo that
/// is starting, shutting down or was declared dead takes no traffic.</summary>
internal sealed class ClusterMembershipHealthCheck(IClusterMembershipService membership, ILocalSiloDetails local, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            return Task.FromResult(HealthCheckResult.Unhealthy("the silo is stopping"));
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(local.SiloAddress);
        var data = new Dictionary<string, object>
        {
            ["silo"] = local.Name,
            ["address"] = local.SiloAddress.ToString(),
            ["status"] = status.ToString(),
            ["active_silos"] = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active),
            ["membership_version"] = snapshot.Version.Value,
        };
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("an active member of the cluster", data)
            : HealthCheckResult.Unhealthy($"not an active member of the cluster (status {status})", data: data));
    }
}
