using Orleans.Concurrency;

namespace Agents.Abstractions.Teams;

/// <summary>
/// A team's G-Memory (key: <see cref="TeamKey"/>): the interaction tier (each run's trajectory, condensed
/// to key steps), the query tier (runs linked to similar earlier runs) and the insight tier (rules with
/// scores, refined from successes and failures). Records are ordered per team; recalls interleave.
/// </summary>
[Alias("Agents.ITeamMemoryGrain")]
public interface ITeamMemoryGrain : IGrainWithStringKey
{
    /// <summary>Related runs (similar plus one hop), the insights voted up from them, and example trajectories.</summary>
    [Alias("Recall"), ReadOnly]
    Task<TeamContext> RecallAsync(string task, CancellationToken cancellationToken = default);

    /// <summary>Records a finished run once (a repeat of the same run id is ignored): its trajectory, its
    /// node in the query graph, insight refinement, and the outcome for the insights it used.</summary>
    [Alias("RecordRun")]
    Task<bool> RecordRunAsync(TeamRunRecord run, CancellationToken cancellationToken = default);

    /// <summary>The team's live insights, best first.</summary>
    [Alias("Insights"), ReadOnly]
    Task<IReadOnlyList<TeamInsight>> InsightsAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>The team's recorded runs (trajectories), newest first.</summary>
    [Alias("Runs"), ReadOnly]
    Task<IReadOnlyList<TeamTrajectory>> RunsAsync(int limit, CancellationToken cancellationToken = default);
}
