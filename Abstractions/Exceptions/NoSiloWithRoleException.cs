namespace Agents.Abstractions;

/// <summary>The grain requires a silo role that no live silo declares.</summary>
public sealed class NoSiloWithRoleException(string role, string grainType)
    : GrainRuntimeException($"No live silo has the role '{role}' required by grain type '{grainType}'.")
{
    public string Role { get; } = role;
    public string GrainType { get; } = grainType;
}
