namespace Agents.Memory.Pipelines.Team;

/// <summary>One step of a team's task: which agent, what it was asked, what it said, the action taken, what came back, and its reward.</summary>
public sealed record AgentStep(string Agent, string Message)
{
    public string? Instruction { get; init; }
    public string? Action { get; init; }
    public string? Observation { get; init; }
    public double Reward { get; init; }
}

/// <summary>A finished task: what was asked, the steps the team took, and whether it succeeded (G-Memory's interaction trajectory).</summary>
public sealed record TeamTask(string Task, IReadOnlyList<AgentStep> Steps, bool Succeeded);

/// <summary>A task reduced to its key steps, with the reason it failed when it did.</summary>
public sealed record CondensedTask(string Task, IReadOnlyList<string> KeySteps, bool Succeeded, string? FailureReason);

/// <summary>An insight (a rule "do X, because Y") as the refiner sees it.</summary>
public sealed record InsightView(Guid Id, string Text, int Score);

/// <summary>G-Memory's insight operations: ADD a rule, AGREE with one, EDIT one, REMOVE (vote down) one.</summary>
public enum InsightOperationKind { Add, Agree, Edit, Remove }

/// <summary>One operation; <see cref="TargetId"/> for AGREE / EDIT / REMOVE, <see cref="Text"/> for ADD / EDIT.</summary>
public sealed record InsightOperation(InsightOperationKind Kind, Guid? TargetId, string? Text);

/// <summary>Condenses a finished task to its key steps (and the reason for a failure).</summary>
public interface ITaskCondenser
{
    ValueTask<CondensedTask> CondenseAsync(TeamTask task, CancellationToken cancellationToken);
}

/// <summary>Refines the insights from similar successful and failed tasks.</summary>
public interface IInsightRefiner
{
    ValueTask<IReadOnlyList<InsightOperation>> RefineAsync(IReadOnlyList<CondensedTask> successes, IReadOnlyList<CondensedTask> failures, IReadOnlyList<InsightView> insights, CancellationToken cancellationToken);
}
