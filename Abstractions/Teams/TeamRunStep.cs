namespace Agents.Abstractions.Teams;

/// <summary>One step of a finished run for the team's interaction graph: the agent, what it was asked,
/// what it said, the action it took and what came of it.</summary>
[GenerateSerializer, Immutable, Alias("Agents.TeamRunStep")]
public sealed record TeamRunStep(
    [property: Id(0)] string Agent,
    [property: Id(1)] string Instruction,
    [property: Id(2)] string Message,
    [property: Id(3)] string Action,
    [property: Id(4)] string Outcome);
