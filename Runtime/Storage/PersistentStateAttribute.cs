namespace Agents.Runtime.Storage;

/// <summary>On a grain constructor parameter of type <see cref="IPersistentState{TState}"/>: the state
/// stored under <see cref="StateName"/> for this grain.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName) : Attribute
{
    public string StateName { get; } = stateName;
}
