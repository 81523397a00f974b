using System.Collections.Concurrent;
using Agents.Abstractions;
using Agents.Runtime.Activation;
using Agents.Runtime.Membership;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Directory;

/// <summary>
/// Finds where a grain lives: a local cache in front of the cluster's <see cref="IGrainDirectoryStore"/>
/// (first writer wins), placement for grains that live nowhere, and cache repair: entries pointing at
/// dead silos are dropped, and a CacheInvalidation rejection drops the entry it disproved.
/// </summary>
internal sealed class GrainLocator(SiloRuntime runtime, IGrainDirectoryStore store)
{
    private readonly ConcurrentDictionary<GrainId, CachedLocation> _cache = new();
    private readonly ConcurrentDictionary<GrainId, Task<CachedLocation>> _resolving = new();

    /// <summary>A cached location; <see cref="Placed"/> when it is where this silo decided to place
    /// the grain rather than a registration read from the directory.</summary>
    public readonly record struct CachedLocation(SiloAddress Silo, bool Placed);

    public bool TryGetCached(GrainId grain, out CachedLocation location) => _cache.TryGetValue(grain, out location);

    public void CacheAddress(GrainAddress address) => _cache[address.Grain] = new CachedLocation(address.Silo, false);

    /// <summary>Drops the cached location if it still points at <paramref name="silo"/>.</summary>
    public void Invalidate(GrainId grain, SiloAddress silo)
    {
        if (_cache.TryGetValue(grain, out var cached) && cached.Silo.Equals(silo))
            _cache.TryRemove(new KeyValuePair<GrainId, CachedLocation>(grain, cached));
    }

    /// <summary>Where to send a call for a grain with no local activation and no usable cache entry:
    /// its registered silo, or a newly placed one. Concurrent resolutions of one grain share one look-up.</summary>
    public Task<CachedLocation> ResolveAsync(GrainId grain, GrainClassInfo grainClass)
    {
        if (_resolving.TryGetValue(grain, out var running)) return running;
        var mine = new TaskCompletionSource<CachedLocation>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_resolving.TryAdd(grain, mine.Task)) return _resolving.TryGetValue(grain, out running) ? running : ResolveAsync(grain, grainClass);
        _ = RunResolutionAsync(grain, grainClass, mine);
        return mine.Task;
    }

    private async Task RunResolutionAsync(GrainId grain, GrainClassInfo grainClass, TaskCompletionSource<CachedLocation> result)
    {
        try
        {
            var registered = await store.LookupAsync(grain, CancellationToken.None);
            CachedLocation location;
            if (registered is not null && !runtime.Membership.IsDead(registered.Silo))
            {
                location = new CachedLocation(registered.Silo, false);
            }
            else
            {
                var silo = runtime.Placement.Choose(grainClass);
                runtime.NotePlacement(silo);
                location = new CachedLocation(silo, true);
            }
            _cache[grain] = location;
            result.SetResult(location);
        }
        catch (Exception exception)
        {
            result.SetException(exception);
        }
        finally
        {
            _resolving.TryRemove(new KeyValuePair<GrainId, Task<CachedLocation>>(grain, result.Task));
        }
    }

    /// <summary>Registers an activation; returns the registration that stands (possibly another
    /// silo's). Registrations held by dead silos are replaced.</summary>
    public async Task<GrainAddress> RegisterAsync(GrainAddress address, CancellationToken cancellationToken)
    {
        GrainAddress? previous = null;
        for (var attempt = 0; ; attempt++)
        {
            var winner = await store.RegisterAsync(address, previous, cancellationToken);
            if (winner.ActivationId == address.ActivationId) return winner;
            var stale = runtime.Membership.IsDead(winner.Silo) ||
                        (winner.Silo.Equals(runtime.SiloAddress) &&
                         (!runtime.Catalog.TryGet(winner.Grain, out var local) || local.ActivationId != winner.ActivationId));
            if (!stale || attempt >= 3) return winner;
            runtime.Logger.LogDebug("Replacing stale directory entry {Address} of {Grain}", winner, winner.Grain);
            previous = winner;
        }
    }

    public Task UnregisterAsync(GrainAddress address, CancellationToken cancellationToken)
    {
        Invalidate(address.Grain, address.Silo);
        return store.UnregisterAsync(address, cancellationToken);
    }

    /// <summary>Forgets cached locations on dead silos and removes their directory rows.</summary>
    public async Task OnSilosDiedAsync(IReadOnlyCollection<SiloAddress> silos)
    {
        foreach (var entry in _cache)
            if (silos.Contains(entry.Value.Silo)) _cache.TryRemove(entry);
        try
        {
            var removed = await store.UnregisterSilosAsync(silos, CancellationToken.None);
            runtime.Logger.LogInformation("Removed {Count} directory entries of dead silos {Silos}", removed, string.Join(", ", silos));
        }
        catch (Exception exception)
        {
            // Registration replaces dead rows lazily too (RegisterAsync with previous).
            runtime.Logger.LogWarning(exception, "Could not remove directory entries of dead silos");
        }
    }
}
