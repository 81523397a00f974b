namespace Agents.Abstractions.Teams;

/// <summary>
/// What a team remembers for a new task (G-Memory): the insights voted up from related runs, best
/// first, and example trajectories of similar runs that succeeded or failed.
/// </summary>
[GenerateSerializer, Immutable, Alias("Agents.TeamContext")]
public sealed record TeamContext(
    [property: Id(0)] IReadOnlyList<TeamInsight> Insights,
    [property: Id(1)] IReadOnlyList<TeamTrajectory> Examples,
    [property: Id(2)] IReadOnlyList<Guid> RelatedRuns)
{
    public static TeamContext Empty { get; } = new([], [], []);
}
