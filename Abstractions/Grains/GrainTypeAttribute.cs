namespace Agents.Abstractions;

/// <summary>Names the grain type of a grain interface (the <c>agent</c> in <c>agent/alice</c>). Without it
/// the name is the interface name without its leading <c>I</c> and trailing <c>Grain</c>, lower-cased.</summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
