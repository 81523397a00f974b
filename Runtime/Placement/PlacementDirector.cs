using Agents.Abstractions;
using Agents.Runtime.Activation;
using Agents.Runtime.Hosting;
using Agents.Runtime.Membership;

namespace Agents.Runtime.Placement;

/// <summary>Chooses the silo for a new activation among the active silos compatible with the grain
/// class (those with its required role). Least-loaded uses each silo's activation count as last
/// reported (this silo's own count is exact).</summary>
internal sealed class PlacementDirector(SiloRuntime runtime)
{
    public SiloAddress Choose(GrainClassInfo grainClass)
    {
        var silos = runtime.Membership.ActiveSilos;
        var self = runtime.SiloAddress;
        Span<int> compatible = silos.Count <= 64 ? stackalloc int[silos.Count] : new int[silos.Count];
        var count = 0;
        var selfCompatible = false;
        for (var i = 0; i < silos.Count; i++)
        {
            if (grainClass.RequiredRole is { } role && !silos[i].Roles.Contains(role, StringComparer.Ordinal)) continue;
            compatible[count++] = i;
            if (silos[i].Silo.Equals(self)) selfCompatible = true;
        }
        if (count == 0)
        {
            if (grainClass.RequiredRole is { } role) throw new NoSiloWithRoleException(role, grainClass.GrainType);
            // Not joined yet (or alone and shutting down): only this silo can host it.
            return self;
        }
        switch (grainClass.Placement)
        {
            case PlacementStrategy.PreferLocal when selfCompatible:
                return self;
            case PlacementStrategy.LeastLoaded:
                var best = silos[compatible[0]].Silo;
                var bestLoad = runtime.LoadOf(best);
                for (var i = 1; i < count; i++)
                {
                    var candidate = silos[compatible[i]].Silo;
                    var load = runtime.LoadOf(candidate);
                    if (load < bestLoad) { best = candidate; bestLoad = load; }
                }
                return best;
            default:
                return silos[compatible[Random.Shared.Next(count)]].Silo;
        }
    }

    public bool IsCompatible(GrainClassInfo grainClass) =>
        grainClass.RequiredRole is not { } role || runtime.Options.Roles.Contains(role, StringComparer.Ordinal);
}
