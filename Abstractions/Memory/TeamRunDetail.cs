namespace Agents.Abstractions.Memory;

/// <summary>A run a team recorded in its memory (G-Memory's query node): the task, whether it
/// succeeded, its condensed trajectory (key steps, failure reason) and the similar earlier runs it links to.</summary>
[GenerateSerializer, Immutable, Alias("Agents.TeamRunDetail")]
public sealed record TeamRunDetail(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Task,
    [property: Id(2)] bool Succeeded,
    [property: Id(3)] DateTimeOffset ObservedAt,
    [property: Id(4)] Guid? TrajectoryId,
    [property: Id(5)] IReadOnlyList<string> KeySteps,
    [property: Id(6)] string? FailureReason,
    [property: Id(7)] IReadOnlyList<Guid> SimilarRuns);
