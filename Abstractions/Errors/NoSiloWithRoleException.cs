namespace Agents.Abstractions;

/// <summary>The grain may only run on silos with <see cref="Role"/> (e.g. <c>gpu</c>) and no live silo
/// declares it. Start a silo with the role (<c>Agents__Silo__Roles</c>) or let one host it.</summary>
[GenerateSerializer, Alias("Agents.NoSiloWithRoleException")]
public sealed class NoSiloWithRoleException(string role, string grainType)
    : AgentsException($"No live silo has the role '{role}' that grain type '{grainType}' requires; start a silo with that role (Agents__Silo__Roles={role}).")
{
    [Id(0)] public string Role { get; private set; } = role;
    [Id(1)] public string GrainType { get; private set; } = grainType;
}
