using Orleans.Metadata;
using Orleans.Placement;

namespace Agents.Grains.Placement;

/// <summary>The role a grain class requires, carried in the grain manifest so every silo filters alike.</summary>
public sealed class SiloRolePlacementFilterStrategy(string role) : PlacementFilterStrategy(order: 0)
{
    private const string RoleProperty = "role";

    /// <summary>For the container, which creates the strategy before the manifest fills it in.</summary>
    public SiloRolePlacementFilterStrategy() : this("")
    {
    }

    public string Role { get; private set; } = role;

    public override void AdditionalInitialize(GrainProperties properties) =>
        Role = GetPlacementFilterGrainProperty(RoleProperty, properties) is { Length: > 0 } role
            ? role
            : throw new ArgumentException("A silo role placement filter names no role.");

    protected override IEnumerable<KeyValuePair<string, string>> GetAdditionalGrainProperties(
        IServiceProvider services, Type grainClass, GrainType grainType, IReadOnlyDictionary<string, string> existingProperties)
    {
        yield return new(RoleProperty, Role);
    }
}
