namespace Agents.Runtime.Placement;

/// <summary>Where new activations of a grain class go.</summary>
public enum PlacementStrategy
{
    Random,
    PreferLocal,
    LeastLoaded,
}
