using Agents.Runtime.Directory;
using Agents.Runtime.Membership;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Hosting;

/// <summary>
/// <see cref="IClusterMembership"/> over the membership protocol (<see cref="MembershipService"/> on an
/// <see cref="IMembershipTable"/>, e.g. PostgreSQL): join, heartbeats, failure detection by probing
/// other silos over this silo's transport; its views and death notifications drive the runtime.
/// </summary>
internal sealed class TableClusterMembership(
    IMembershipTable table,
    MembershipOptions options,
    ISiloProber prober,
    ILoggerFactory loggerFactory,
    IGrainDirectoryStore directory) : IClusterMembership
{
    private readonly CancellationTokenSource _stopRequested = new();
    private MembershipService? _service;

    public IReadOnlyList<ClusterMember> ActiveSilos => _service?.CurrentView.ActiveMembers ?? [];

    public bool IsDead(SiloAddress silo) => _service?.CurrentView.IsDead(silo) ?? false;

    public event Action<IReadOnlyCollection<SiloAddress>>? SilosDied;
    public event Action? Changed;

    public CancellationToken StopRequested => _stopRequested.Token;

    public async Task JoinAsync(LocalSiloDetails self, CancellationToken cancellationToken)
    {
        _service = new MembershipService(table, self, prober, options, loggerFactory, directory);
        _service.ViewChanged += _ => Changed?.Invoke();
        _service.SilosDied += silos => SilosDied?.Invoke(silos);
        _service.StopRequested.Register(() => _stopRequested.Cancel());
        await _service.StartAsync(cancellationToken);
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
