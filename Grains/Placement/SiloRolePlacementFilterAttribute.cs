using Orleans.Placement;

namespace Agents.Grains.Placement;

/// <summary>New activations of the grain class go only to silos that declare <paramref name="role"/>
/// (<see cref="SiloRoles"/>); with none alive, calls fail with <see cref="Abstractions.NoSiloWithRoleException"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloRolePlacementFilterAttribute(string role)
    : PlacementFilterAttribute(new SiloRolePlacementFilterStrategy(role));
