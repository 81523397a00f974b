using Agents.Abstractions.Teams;

namespace Agents.Abstractions.Workflows;

/// <summary>
/// One step for an agent: the run and step it belongs to (its memory writes are keyed by them, so a
/// step run again after a crash writes nothing twice), the task, what this step must do
/// (<see cref="AgentStepKind"/> and <see cref="Question"/>), the outputs before it, the agent's profile
/// and what the team remembers of similar runs.
/// </summary>
[GenerateSerializer, Immutable, Alias("Agents.AgentStepRequest")]
public sealed record AgentStepRequest(
    [property: Id(0)] string RunId,
    [property: Id(1)] int Step,
    [property: Id(2)] string Kind,
    [property: Id(3)] string Task,
    [property: Id(4)] string Question,
    [property: Id(5)] WorkflowAgent Agent,
    [property: Id(6)] IReadOnlyList<StepOutput> Previous,
    [property: Id(7)] TeamContext Team,
    [property: Id(8)] DateTimeOffset At);
