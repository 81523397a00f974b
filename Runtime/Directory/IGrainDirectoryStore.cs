using Agents.Abstractions;
using Agents.Runtime.Membership;

namespace Agents.Runtime.Directory;

/// <summary>
/// The cluster-wide grain directory, after Orleans' ADO.NET directory: first writer wins.
/// </summary>
public interface IGrainDirectoryStore
{
    /// <summary>Registers <paramref name="address"/> unless the grain already has a registration, and
    /// returns the registration that stands (the caller's, or the earlier one).
    /// <paramref name="previous"/>, when given, is a stale registration the caller knows to be dead and
    /// may be replaced atomically.</summary>
    Task<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previous, CancellationToken cancellationToken);
    Task<GrainAddress?> LookupAsync(GrainId grain, CancellationToken cancellationToken);
    /// <summary>Removes the registration only if it is still exactly <paramref name="address"/>.</summary>
    Task UnregisterAsync(GrainAddress address, CancellationToken cancellationToken);
    /// <summary>Removes every registration held by the given (dead) silos; returns how many.</summary>
    Task<int> UnregisterSilosAsync(IReadOnlyCollection<SiloAddress> silos, CancellationToken cancellationToken);
}
