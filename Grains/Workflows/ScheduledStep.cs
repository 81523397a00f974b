using Agents.Abstractions.Workflows;

namespace Agents.Grains.Workflows;

/// <summary>A step the schedule asks for: which agent, what kind, the question, the outputs it sees, and
/// for a manager's worker, the index of its part of the plan. <see cref="Number"/> is set when it runs.</summary>
public sealed record ScheduledStep(WorkflowAgent Agent, string Kind, string Question, IReadOnlyList<StepOutput> Previous, int PartIndex = -1)
{
    public int Number { get; init; }
}
