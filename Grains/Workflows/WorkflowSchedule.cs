using Agents.Abstractions.Workflows;
using Agents.Memory.Agents;
using Agents.Memory.Pipelines.Text;

namespace Agents.Grains.Workflows;

/// <summary>
/// The topologies, as a function of a run's stored progress: what comes next, and how a finished step
/// moves the run on. Deterministic, so a run resumed on another silo takes the same path.
/// </summary>
public static class WorkflowSchedule
{
    public static ScheduledWork Next(WorkflowDefinition definition, WorkflowRun run)
    {
        var agents = definition.Agents;
        switch (definition.Topology)
        {
            case WorkflowTopology.RoundRobin:
            {
                var outputs = run.Outputs;
                if (outputs.Count >= 2 && run.Cursor >= agents.Count && Agree(outputs[^1], outputs[^2]))
                    return new ScheduledWork([], outputs[^1], "the agents agreed");
                if (run.StepsTaken >= definition.EffectiveLimits.Steps && run.Attempt == 0)
                    return new ScheduledWork([], outputs.LastOrDefault() ?? Nothing, "the discussion reached its step limit");
                var speaker = agents[run.Cursor % agents.Count];
                return One(new ScheduledStep(speaker, AgentStepKind.Answer, definition.Task, outputs.TakeLast(agents.Count).ToArray()));
            }
            case WorkflowTopology.ManagerWorkers:
            {
                var manager = agents.First(a => a.Id == definition.Manager);
                var workers = agents.Where(a => a.Id != definition.Manager).ToArray();
                return run.Cursor switch
                {
                    0 => One(new ScheduledStep(manager, AgentStepKind.Plan, definition.Task, [])),
                    1 => new ScheduledWork(run.Parts.Select((part, j) => (part, j)).Where(p => !run.PartOutputs.ContainsKey(p.j))
                        .Select(p => new ScheduledStep(workers[p.j % workers.Length], AgentStepKind.Answer, p.part, [], p.j)).ToArray(), null),
                    2 => One(new ScheduledStep(manager, AgentStepKind.Merge, definition.Task, WorkerOutputs(run))),
                    _ => new ScheduledWork([], run.Outputs.LastOrDefault(o => o.Agent == manager.Id && run.Cursor == 3 && o.Step > 0) is { } merged && merged.Text.Length > 0
                        ? merged
                        : MergedByWorkflow(run), null),
                };
            }
            default:
                return run.Cursor < agents.Count
                    ? One(new ScheduledStep(agents[run.Cursor], AgentStepKind.Answer, definition.Task, run.Outputs.ToArray()))
                    : new ScheduledWork([], run.Outputs.LastOrDefault() ?? Nothing);
        }
    }

    /// <summary>
    /// Moves the run on after <paramref name="done"/> (a null result: the step was skipped).
    /// <paramref name="partial"/>: some steps failed and will be tried again; only the good ones count.
    /// </summary>
    public static void Completed(WorkflowDefinition definition, WorkflowRun run, IReadOnlyList<(ScheduledStep Step, AgentStepResult? Result)> done, bool partial = false)
    {
        foreach (var (step, result) in done)
        {
            if (result is null) continue;
            var output = new StepOutput(step.Number, step.Agent.Id, result.Output, result.Citations);
            if (step.Kind == AgentStepKind.Plan)
            {
                run.Parts = Capped(result.Parts.Count > 0 ? result.Parts : [definition.Task], definition.EffectiveLimits.Steps - run.StepsTaken - 1);
                continue;
            }
            run.Outputs.Add(output);
            if (step.PartIndex >= 0) run.PartOutputs[step.PartIndex] = output;
        }
        if (partial) return;
        if (definition.Topology == WorkflowTopology.ManagerWorkers && run.Cursor == 0 && run.Parts.Count == 0) run.Parts = [definition.Task];   // plan skipped
        run.Cursor++;
    }

    private static ScheduledWork One(ScheduledStep step) => new([step], null);

    private static readonly StepOutput Nothing = new(0, "workflow", "", []);

    private static StepOutput[] WorkerOutputs(WorkflowRun run) => run.PartOutputs.OrderBy(p => p.Key).Select(p => p.Value).ToArray();

    /// <summary>When the manager's merge was skipped: the workers' answers joined by their citations.</summary>
    private static StepOutput MergedByWorkflow(WorkflowRun run)
    {
        var merged = ExtractiveAnswerer.Merge(WorkerOutputs(run).Select(o => (IReadOnlyList<RecalledMemory>)o.Citations.Select(c => new RecalledMemory(c.Id, c.Text, c.Source, 0)).ToArray()).ToArray());
        return new StepOutput(0, "workflow", merged.Cited.Count == 0 ? "" : merged.Text, merged.Cited.Select(c => new Citation(c.Id, c.Text, c.Source)).ToArray());
    }

    /// <summary>At most <paramref name="room"/> parts (at least one): the rest join the last.</summary>
    private static List<string> Capped(IReadOnlyList<string> parts, int room)
    {
        room = Math.Max(1, room);
        return parts.Count <= room ? [.. parts] : [.. parts.Take(room - 1), string.Join("; ", parts.Skip(room - 1))];
    }

    /// <summary>Two answers agree when they cite the same memories, or say the same words.</summary>
    private static bool Agree(StepOutput a, StepOutput b) =>
        (a.Citations.Count > 0 && a.Citations.Select(c => c.Id).ToHashSet().SetEquals(b.Citations.Select(c => c.Id)))
        || TextSimilarity.Normalize(a.Text) == TextSimilarity.Normalize(b.Text);
}
