namespace Agents.Abstractions.Teams;

/// <summary>A finished run as the team memory records it: the task, its steps, whether it succeeded,
/// and the insights it was given (they gain or lose score by the outcome).</summary>
[GenerateSerializer, Immutable, Alias("Agents.TeamRunRecord")]
public sealed record TeamRunRecord(
    [property: Id(0)] string RunId,
    [property: Id(1)] string Task,
    [property: Id(2)] IReadOnlyList<TeamRunStep> Steps,
    [property: Id(3)] bool Succeeded,
    [property: Id(4)] IReadOnlyList<Guid> InsightsUsed,
    [property: Id(5)] DateTimeOffset At);
