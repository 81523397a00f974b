using Agents.Runtime.Membership;

namespace Agents.Runtime.Hosting;

/// <summary>
/// A cluster view shared by the silos of one process (the embedded silo, tests, the local benchmark):
/// joins, leaves and deaths take effect at once. <see cref="Handle"/> gives each silo its own
/// <see cref="IClusterMembership"/> over the shared state; <see cref="DeclareDead"/> is what failure
/// detection would conclude after a silo is killed.
/// </summary>
public sealed class InProcessClusterMembership
{
    private readonly Lock _gate = new();
    private readonly Dictionary<SiloAddress, ClusterMember> _silos = [];
    private readonly HashSet<SiloAddress> _dead = [];
    private IReadOnlyList<ClusterMember> _active = [];
    private event Action<IReadOnlyCollection<SiloAddress>>? SilosDied;
    private event Action? Changed;

    public IReadOnlyList<ClusterMember> ActiveSilos => Volatile.Read(ref _active);

    public IClusterMembership Handle() => new SiloHandle(this);

    public void DeclareDead(SiloAddress silo)
    {
        lock (_gate)
        {
            if (!_dead.Add(silo)) return;
            _silos.Remove(silo);
            Publish();
        }
        SilosDied?.Invoke([silo]);
        Changed?.Invoke();
    }

    private void SetStatus(ClusterMember entry)
    {
        List<SiloAddress> superseded = [];
        lock (_gate)
        {
            foreach (var other in _silos.Keys)
                if (other.Endpoint.Equals(entry.Silo.Endpoint) && other.Generation < entry.Silo.Generation) superseded.Add(other);
            foreach (var old in superseded) { _silos.Remove(old); _dead.Add(old); }
            _silos[entry.Silo] = entry;
            Publish();
        }
        if (superseded.Count > 0) SilosDied?.Invoke(superseded);
        Changed?.Invoke();
    }

    private void Publish() => Volatile.Write(ref _active, _silos.Values.Where(e => e.Status == SiloStatus.Active).OrderBy(e => e.Silo.ToString(), StringComparer.Ordinal).ToArray());

    private bool IsDead(SiloAddress silo)
    {
        lock (_gate) return _dead.Contains(silo);
    }

    private sealed class SiloHandle(InProcessClusterMembership cluster) : IClusterMembership
    {
        private ClusterMember? _self;

        public IReadOnlyList<ClusterMember> ActiveSilos => cluster.ActiveSilos;
        public bool IsDead(SiloAddress silo) => cluster.IsDead(silo);

        public event Action<IReadOnlyCollection<SiloAddress>>? SilosDied
        {
            add => cluster.SilosDied += value;
            remove => cluster.SilosDied -= value;
        }

        public event Action? Changed
        {
            add => cluster.Changed += value;
            remove => cluster.Changed -= value;
        }

        public CancellationToken StopRequested => CancellationToken.None;

        public Task JoinAsync(LocalSiloDetails self, CancellationToken cancellationToken)
        {
            _self = new ClusterMember(self.Silo, SiloStatus.Active, self.SiloName, self.HostName, self.Roles, self.GatewayPort, DateTimeOffset.UtcNow);
            cluster.SetStatus(_self);
            return Task.CompletedTask;
        }

        public Task BeginLeaveAsync(CancellationToken cancellationToken)
        {
            if (_self is not null) cluster.SetStatus(_self = _self with { Status = SiloStatus.ShuttingDown });
            return Task.CompletedTask;
        }

        public Task LeaveAsync(CancellationToken cancellationToken)
        {
            if (_self is not null) cluster.DeclareDead(_self.Silo);
            return Task.CompletedTask;
        }
    }
}
