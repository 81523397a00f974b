namespace Agents.Abstractions.Teams;

/// <summary>A past run condensed to its key steps, and whether it succeeded.</summary>
[GenerateSerializer, Immutable, Alias("Agents.TeamTrajectory")]
public sealed record TeamTrajectory(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Task,
    [property: Id(2)] IReadOnlyList<string> KeySteps,
    [property: Id(3)] bool Succeeded);
