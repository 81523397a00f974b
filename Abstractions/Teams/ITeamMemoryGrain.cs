using Orleans.Concurrency;

namespace Agents.Abstractions.Teams;

/// <summary>
/// A team's G-Memory (key: <see cref="TeamKey"/>): the interaction tier (each run's trajectory, condensed
/// to key steps), the query tier (runs linked to similar earlier runs) and the insight tier (rules with
/// scores, refined from successes and failures). A run's record is accepted durably and applied shortly
/// after, one at a time in the order accepted; every read first waits for the records accepted before it,
/// so whoever saw a run accepted sees its lesson.
/// </summary>
[Alias("Agents.ITeamMemoryGrain")]
public interface ITeamMemoryGrain : IGrainWithStringKey
{
    /// <summary>Related runs (similar plus one hop), the insights voted up from them, and example trajectories.</summary>
    [Alias("Recall"), ReadOnly]
    Task<TeamContext> RecallAsync(string task, CancellationToken cancellationToken = default);

    /// <summary>Accepts a finished run for recording once (a repeat of the same run id is not recorded
    /// again; true when the run is new here): stored in the team's state before this returns, then
    /// applied in the background (its trajectory, its node in the query graph, insight refinement, and
    /// the outcome for the insights it used), resumed by a reminder on another silo if this one dies.</summary>
    [Alias("RecordRun"), AlwaysInterleave]
    Task<bool> RecordRunAsync(TeamRunRecord run, CancellationToken cancellationToken = default);

    /// <summary>Returns once the runs accepted before this call are recorded (or their recording is
    /// failing and being retried: then at once, so that readers never hang on a broken store).</summary>
    [Alias("WaitForRecords"), ReadOnly]
    Task WaitForRecordsAsync(CancellationToken cancellationToken = default);

    /// <summary>The team's live insights, best first.</summary>
    [Alias("Insights"), ReadOnly]
    Task<IReadOnlyList<TeamInsight>> InsightsAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>The team's recorded runs (trajectories), newest first.</summary>
    [Alias("Runs"), ReadOnly]
    Task<IReadOnlyList<TeamTrajectory>> RunsAsync(int limit, CancellationToken cancellationToken = default);
}
