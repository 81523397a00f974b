using Agents.Runtime.Membership;

namespace Agents.Runtime.Hosting;

/// <summary>
/// A fixed cluster: this silo plus silos whose addresses are known up front (e.g. a benchmark that
/// starts a peer process and reads its address). Nothing is ever declared dead; use the membership
/// protocol for anything that must survive failures.
/// </summary>
public sealed class StaticClusterMembership(IEnumerable<ClusterMember> others) : IClusterMembership
{
    private readonly List<ClusterMember> _others = [.. others];
    private IReadOnlyList<ClusterMember> _active = [.. others];

    public IReadOnlyList<ClusterMember> ActiveSilos => _active;
    public bool IsDead(SiloAddress silo) => false;
    public CancellationToken StopRequested => CancellationToken.None;

    public event Action<IReadOnlyCollection<SiloAddress>>? SilosDied { add { } remove { } }
    public event Action? Changed { add { } remove { } }

    public Task JoinAsync(LocalSiloDetails self, CancellationToken cancellationToken)
    {
        _active = [.. _others, new ClusterMember(self.Silo, SiloStatus.Active, self.SiloName, self.HostName, self.Roles, self.GatewayPort, DateTimeOffset.UtcNow)];
        return Task.CompletedTask;
    }

    public Task BeginLeaveAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task LeaveAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
