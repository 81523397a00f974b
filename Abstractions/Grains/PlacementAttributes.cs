namespace Agents.Abstractions;

/// <summary>Base of the placement attributes: where a new activation of a grain class goes.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public abstract class PlacementAttribute : Attribute;

/// <summary>Place a new activation on a random compatible silo (the default).</summary>
public sealed class RandomPlacementAttribute : PlacementAttribute;

/// <summary>Place a new activation on the caller's silo when it is compatible.</summary>
public sealed class PreferLocalPlacementAttribute : PlacementAttribute;

/// <summary>Place a new activation on the compatible silo with the fewest activations.</summary>
public sealed class LeastLoadedPlacementAttribute : PlacementAttribute;
