namespace Agents.Abstractions.Workflows;

/// <summary>A run as a client sees it: its state (<see cref="WorkflowRunState"/>), the answer with its
/// citations once completed, the reason once failed, the steps taken, the last event's id, the team
/// insights it was given, and the silo its grain runs on.</summary>
[GenerateSerializer, Immutable, Alias("Agents.WorkflowRunStatus")]
public sealed record WorkflowRunStatus(
    [property: Id(0)] string RunId,
    [property: Id(1)] string Tenant,
    [property: Id(2)] string Name,
    [property: Id(3)] string Team,
    [property: Id(4)] string State,
    [property: Id(5)] string? Answer,
    [property: Id(6)] IReadOnlyList<Citation> Citations,
    [property: Id(7)] int Steps,
    [property: Id(8)] string? Error,
    [property: Id(9)] DateTimeOffset StartedAt,
    [property: Id(10)] DateTimeOffset? FinishedAt,
    [property: Id(11)] long LastEventId,
    [property: Id(12)] IReadOnlyList<Guid> InsightsUsed,
    [property: Id(13)] string Silo);
