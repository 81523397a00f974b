namespace Agents.Abstractions;

/// <summary>Deactivate an activation of this grain class after it has been idle this many minutes
/// (overrides the silo's default).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class CollectionAgeAttribute(double minutes) : Attribute
{
    public TimeSpan Age { get; } = TimeSpan.FromMinutes(minutes);
}
