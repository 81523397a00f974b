using Agents.Abstractions;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Agents.Grains.Placement;

/// <summary>Keeps the candidate silos whose metadata lists the required role. None left is an error
/// that names the role, rather than Orleans' generic "no compatible silo".</summary>
public sealed class SiloRolePlacementFilterDirector(ISiloMetadataCache metadata) : IPlacementFilterDirector
{
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos)
    {
        var role = ((SiloRolePlacementFilterStrategy)filterStrategy).Role;
        var matching = silos.Where(silo => SiloRoles.Contains(metadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(SiloRoles.MetadataKey), role)).ToArray();
        return matching.Length > 0 ? matching : throw new NoSiloWithRoleException(role, target.GrainIdentity.Type.ToString() ?? "");
    }
}
