using Agents.Runtime.Directory;
using Agents.Runtime.Membership;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Hosting;

/// <summary>
/// <see cref="IClusterMembership"/> over the membership protocol (<see cref="MembershipService"/> on an
/// <see cref="IMembershipTable"/>, e.g. PostgreSQL): join, heartbeats, failure detection by probing
/// other silos over this silo's transport, and views turned into death notifications.
/// </summary>
internal sealed class TableClusterMembership(
    IMembershipTable table,
    MembershipOptions options,
    ISiloProber prober,
    ILoggerFactory loggerFactory,
    IGrainDirectoryStore directory) : IClusterMembership
{
    private MembershipService? _service;
    private MembershipView _previous = MembershipView.Empty;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopRequested = new();

    public IReadOnlyList<ClusterMember> ActiveSilos => _service?.CurrentView.ActiveMembers ?? [];

    public bool IsDead(SiloAddress silo)
    {
        var view = _service?.CurrentView;
        if (view is null) return false;
        var status = view.GetStatus(silo);
        if (status == SiloStatus.Dead) return true;
        if (status != SiloStatus.None) return false;
        // Gone from the table: dead if a newer incarnation runs on its endpoint.
        foreach (var member in view.Members.Keys)
            if (member.Endpoint.Equals(silo.Endpoint) && member.Generation > silo.Generation) return true;
        return false;
    }

    public event Action<IReadOnlyCollection<SiloAddress>>? SilosDied;
    public event Action? Changed;

    public CancellationToken StopRequested => _stopRequested.Token;

    public async Task JoinAsync(LocalSiloDetails self, CancellationToken cancellationToken)
    {
        _service = new MembershipService(table, self, prober, options, loggerFactory, directory);
        _service.ViewChanged += OnViewChanged;
        _service.StopRequested.Register(() => _stopRequested.Cancel());
        await _service.StartAsync(cancellationToken);
        OnViewChanged(_service.CurrentView);
    }

    private void OnViewChanged(MembershipView view)
    {
        List<SiloAddress> died = [];
        lock (_gate)
        {
            if (view.Version <= _previous.Version && _previous != MembershipView.Empty) return;
            foreach (var (silo, member) in view.Members)
                if (member.Status == SiloStatus.Dead && _previous.GetStatus(silo) is not SiloStatus.Dead) died.Add(silo);
            _previous = view;
        }
        if (died.Count > 0) SilosDied?.Invoke(died);
        Changed?.Invoke();
    }

    public Task BeginLeaveAsync(CancellationToken cancellationToken) => _service?.BeginShutdownAsync(cancellationToken) ?? Task.CompletedTask;

    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (_service is null) return;
        await _service.StopAsync(cancellationToken);
        await _service.DisposeAsync();
    }

    /// <summary>A crash: stop the loops without telling the table.</summary>
    public async Task AbandonAsync()
    {
        if (_service is not null) await _service.DisposeAsync();
    }
}
