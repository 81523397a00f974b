using Agents.Abstractions.Teams;
using Agents.Abstractions.Workflows;

namespace Agents.Grains.Workflows;

/// <summary>
/// A run's progress as its grain stores it after every step: the definition, what the team recalled,
/// the outputs so far and where the topology stands (<see cref="Cursor"/>), the events, and the result.
/// A run resumed on another silo continues from here.
/// </summary>
[GenerateSerializer, Alias("Agents.WorkflowRun")]
public sealed class WorkflowRun
{
    [Id(0)] public WorkflowDefinition? Definition { get; set; }
    /// <summary>A <see cref="WorkflowRunState"/>; empty before the run was started.</summary>
    [Id(1)] public string State { get; set; } = "";
    [Id(2)] public DateTimeOffset StartedAt { get; set; }
    [Id(3)] public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>Knowledge added to the team memory and the team's recall done.</summary>
    [Id(4)] public bool Prepared { get; set; }
    [Id(5)] public TeamContext Team { get; set; } = TeamContext.Empty;
    /// <summary>Completed steps' outputs, in the order they finished.</summary>
    [Id(6)] public List<StepOutput> Outputs { get; set; } = [];
    /// <summary>Manager-workers: the parts of the plan, and each part's output once done.</summary>
    [Id(7)] public List<string> Parts { get; set; } = [];
    [Id(8)] public Dictionary<int, StepOutput> PartOutputs { get; set; } = [];
    /// <summary>Agent steps begun so far (each has a number, its memory writes' key).</summary>
    [Id(9)] public int StepsTaken { get; set; }
    /// <summary>Where the topology stands: sequential, the next agent; round-robin, the next turn;
    /// manager-workers, the phase (0 plan, 1 workers, 2 merge).</summary>
    [Id(10)] public int Cursor { get; set; }
    /// <summary>Failed attempts of the work in hand (on_error: retry).</summary>
    [Id(11)] public int Attempt { get; set; }
    [Id(12)] public string? Answer { get; set; }
    [Id(13)] public List<Citation> Citations { get; set; } = [];
    [Id(14)] public string? Error { get; set; }
    [Id(15)] public List<WorkflowEvent> Events { get; set; } = [];
    [Id(16)] public bool CancelRequested { get; set; }
    [Id(17)] public List<TeamRunStep> Trajectory { get; set; } = [];
    /// <summary>The step number of the work in hand, fixed before it runs so that a rerun reuses it.</summary>
    [Id(18)] public int CurrentStep { get; set; }
    /// <summary>The work in hand was begun (and counted) and has not ended: a run resumed after a crash
    /// runs it again under the same numbers.</summary>
    [Id(19)] public bool StepInProgress { get; set; }
    /// <summary>The W3C trace context of the run's start (<c>traceparent</c>, <c>tracestate</c>): every later
    /// unit of work, wherever it runs, joins that trace (<see cref="WorkflowTelemetry"/>).</summary>
    [Id(20)] public string? TraceParent { get; set; }
    [Id(21)] public string? TraceState { get; set; }
}
