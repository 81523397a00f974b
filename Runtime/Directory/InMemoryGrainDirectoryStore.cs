using System.Collections.Concurrent;
using Agents.Abstractions;
using Agents.Runtime.Membership;

namespace Agents.Runtime.Directory;

/// <summary>
/// <see cref="IGrainDirectoryStore"/> in memory (one cluster per instance), with the same first-writer-wins
/// semantics as the PostgreSQL directory: for unit tests and a single embedded silo.
/// </summary>
public sealed class InMemoryGrainDirectoryStore : IGrainDirectoryStore
{
    private readonly ConcurrentDictionary<GrainId, GrainAddress> _registrations = new();

    /// <summary>Number of registrations (for tests and diagnostics).</summary>
    public int Count => _registrations.Count;

    public Task<GrainAddress> RegisterAsync(GrainAddress address, GrainAddress? previous, CancellationToken cancellationToken)
    {
        GrainDirectoryValidation.Validate(address, previous);
        while (true)
        {
            if (_registrations.TryAdd(address.Grain, address))
                return Task.FromResult(address);
            if (!_registrations.TryGetValue(address.Grain, out var existing))
                continue; // removed in between: try to add again
            if (previous is not null && existing == previous)
            {
                // Atomically replace the registration the caller knows to be dead; lose if it moved on.
                if (_registrations.TryUpdate(address.Grain, address, existing))
                    return Task.FromResult(address);
                continue;
            }
            return Task.FromResult(existing);
        }
    }

    public Task<GrainAddress?> LookupAsync(GrainId grain, CancellationToken cancellationToken) =>
        Task.FromResult(_registrations.TryGetValue(grain, out var address) ? address : null);

    public Task UnregisterAsync(GrainAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        _registrations.TryRemove(new KeyValuePair<GrainId, GrainAddress>(address.Grain, address));
        return Task.CompletedTask;
    }

    public Task<int> UnregisterSilosAsync(IReadOnlyCollection<SiloAddress> silos, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silos);
        var dead = silos as IReadOnlySet<SiloAddress> ?? silos.ToHashSet();
        var removed = 0;
        foreach (var pair in _registrations)
        {
            if (dead.Contains(pair.Value.Silo) && _registrations.TryRemove(pair))
                removed++;
        }
        return Task.FromResult(removed);
    }
}
