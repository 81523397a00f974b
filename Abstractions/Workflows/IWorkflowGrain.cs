using Orleans.Concurrency;

namespace Agents.Abstractions.Workflows;

/// <summary>
/// One run of a workflow (key: <see cref="WorkflowRunKey"/>). It orchestrates the agents step by step,
/// keeps its progress and events in grain storage, and is resumed from its last completed step on
/// another silo (by a reminder) if its silo dies.
/// </summary>
[Alias("Agents.IWorkflowGrain")]
public interface IWorkflowGrain : IGrainWithStringKey
{
    /// <summary>Validates and starts the run. Every problem of an invalid definition is listed at once
    /// (<see cref="InvalidWorkflowException"/>) and nothing runs. Starting a run that exists returns its
    /// status: a client may retry a start safely.</summary>
    [Alias("Start")]
    Task<WorkflowRunStatus> StartAsync(WorkflowDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>The run's status; <see cref="NotFoundException"/> if it was never started.</summary>
    [Alias("Status"), AlwaysInterleave]
    Task<WorkflowRunStatus> StatusAsync(CancellationToken cancellationToken = default);

    /// <summary>Events after <paramref name="afterId"/> (0: from the start), at most <paramref name="max"/>.
    /// With none yet, waits up to <paramref name="wait"/> for the next ones (empty when none came).</summary>
    [Alias("Events"), AlwaysInterleave]
    Task<IReadOnlyList<WorkflowEvent>> EventsAsync(long afterId, int max, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>Stops the run after the step in progress; its status becomes cancelled.</summary>
    [Alias("Cancel"), AlwaysInterleave]
    Task<WorkflowRunStatus> CancelAsync(CancellationToken cancellationToken = default);
}
