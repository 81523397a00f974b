namespace Agents.Abstractions.Workflows;

/// <summary>A run in a tenant's list of runs: its id, workflow, team, state and times.</summary>
[GenerateSerializer, Immutable, Alias("Agents.RunSummary")]
public sealed record RunSummary(
    [property: Id(0)] string RunId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Team,
    [property: Id(3)] string State,
    [property: Id(4)] DateTimeOffset StartedAt,
    [property: Id(5)] DateTimeOffset? FinishedAt);
