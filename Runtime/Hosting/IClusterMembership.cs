using Agents.Runtime.Membership;

namespace Agents.Runtime.Hosting;

/// <summary>
/// The silo runtime's view of the cluster: which silos are alive (with their roles and gateways) and
/// which have been declared dead. Implemented over the membership protocol, or, for a single process,
/// by <see cref="InProcessClusterMembership"/>.
/// </summary>
public interface IClusterMembership
{
    /// <summary>Silos currently Active, this one included once it has joined.</summary>
    IReadOnlyList<ClusterMember> ActiveSilos { get; }

    /// <summary>True when <paramref name="silo"/> is known to be gone: declared dead, or superseded by a
    /// newer generation on the same endpoint.</summary>
    bool IsDead(SiloAddress silo);

    /// <summary>Raised (on any thread) with the silos newly declared dead.</summary>
    event Action<IReadOnlyCollection<SiloAddress>>? SilosDied;

    /// <summary>Raised (on any thread) whenever the set of active silos changes.</summary>
    event Action? Changed;

    /// <summary>Announces this silo and makes it Active.</summary>
    Task JoinAsync(LocalSiloDetails self, CancellationToken cancellationToken);

    /// <summary>Cancelled when the cluster declared this silo dead: the silo must stop at once.</summary>
    CancellationToken StopRequested { get; }

    /// <summary>Marks this silo ShuttingDown: others stop placing grains on it.</summary>
    Task BeginLeaveAsync(CancellationToken cancellationToken);

    /// <summary>Marks this silo Dead after a graceful shutdown.</summary>
    Task LeaveAsync(CancellationToken cancellationToken);
}
