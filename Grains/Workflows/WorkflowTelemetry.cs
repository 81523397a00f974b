using System.Diagnostics;
using System.Diagnostics.Metrics;
using Agents.Abstractions.Workflows;

namespace Agents.Grains.Workflows;

/// <summary>
/// Spans and metrics of workflow runs (activity source and meter <c>Agents.Workflows</c>). A run keeps
/// the trace context of its start in its state, so every later unit of work (on this silo or on the
/// one it resumes on) and the grain calls it makes belong to the start's trace; at its end a
/// <c>workflow.run</c> span covers the whole run.
/// </summary>
public static class WorkflowTelemetry
{
    public const string Name = "Agents.Workflows";

    public static readonly ActivitySource Source = new(Name, "1.0.0");
    public static readonly Meter Meter = new(Name, "1.0.0");

    private static readonly double[] StepBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
    private static readonly double[] RunBuckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private static readonly Histogram<double> StepDuration = Meter.CreateHistogram(
        "agents.workflow.step.duration", "s", "Duration of agent steps, by workflow, agent, kind and outcome.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StepBuckets });

    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram(
        "agents.workflow.run.duration", "s", "Duration of workflow runs from start to end, by workflow and final state.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RunBuckets });

    /// <summary>The span of a run's start, a child of the caller's; its context is the run's trace parent.</summary>
    public static Activity? StartRun(WorkflowRunKey key, WorkflowDefinition definition)
    {
        var activity = Source.StartActivity("workflow.start", ActivityKind.Internal);
        activity?.SetTag("agents.workflow.run", key.RunId);
        activity?.SetTag("agents.workflow.name", definition.Name);
        activity?.SetTag("agents.workflow.topology", definition.Topology.ToString());
        activity?.SetTag("agents.tenant", key.Tenant);
        return activity;
    }

    /// <summary>The span of one unit of work of a run (prepare, steps, finish), in the run's trace.</summary>
    public static Activity? StartWork(WorkflowRun run, WorkflowRunKey key, string name)
    {
        var activity = Source.StartActivity(name, ActivityKind.Internal, Parent(run));
        activity?.SetTag("agents.workflow.run", key.RunId);
        activity?.SetTag("agents.workflow.name", run.Definition?.Name);
        return activity;
    }

    /// <summary>The span of one agent step, a child of the current unit of work.</summary>
    public static Activity? StartStep(string workflow, int number, string agent, string kind)
    {
        var activity = Source.StartActivity("workflow.step", ActivityKind.Internal);
        activity?.SetTag("agents.workflow.name", workflow);
        activity?.SetTag("agents.workflow.step", number);
        activity?.SetTag("agents.agent", agent);
        activity?.SetTag("agents.workflow.step.kind", kind);
        return activity;
    }

    public static void StepEnded(Activity? activity, string workflow, string agent, string kind, double seconds, string? error)
    {
        if (activity is not null && error is not null) activity.SetStatus(ActivityStatusCode.Error, error);
        if (!StepDuration.Enabled) return;
        StepDuration.Record(seconds,
            new KeyValuePair<string, object?>("agents.workflow.name", workflow),
            new KeyValuePair<string, object?>("agents.agent", agent),
            new KeyValuePair<string, object?>("agents.workflow.step.kind", kind),
            new KeyValuePair<string, object?>("agents.workflow.step.outcome", error is null ? "ok" : "failed"));
    }

    /// <summary>At a run's end: its duration, and a span from its start to now in its trace.</summary>
    public static void RunEnded(WorkflowRun run, WorkflowRunKey key, DateTimeOffset now)
    {
        var workflow = run.Definition?.Name;
        RunDuration.Record(Math.Max(0, (now - run.StartedAt).TotalSeconds),
            new KeyValuePair<string, object?>("agents.workflow.name", workflow),
            new KeyValuePair<string, object?>("agents.workflow.state", run.State));
        using var activity = Source.StartActivity("workflow.run", ActivityKind.Internal, Parent(run), startTime: run.StartedAt);
        if (activity is null) return;
        activity.SetTag("agents.workflow.run", key.RunId);
        activity.SetTag("agents.workflow.name", workflow);
        activity.SetTag("agents.workflow.state", run.State);
        activity.SetTag("agents.workflow.steps", run.StepsTaken);
        if (run.Error is not null) activity.SetStatus(ActivityStatusCode.Error, run.Error);
    }

    /// <summary>The run's stored trace context; none (a run stored before it had one): a new trace.</summary>
    private static ActivityContext Parent(WorkflowRun run) =>
        run.TraceParent is { } parent && ActivityContext.TryParse(parent, run.TraceState, isRemote: true, out var context) ? context : default;
}
