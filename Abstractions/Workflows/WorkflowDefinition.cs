namespace Agents.Abstractions.Workflows;

/// <summary>
/// A multi-agent workflow as a user writes it (YAML or JSON): a team of agents works on a task, with
/// optional knowledge added to the team's memory first. <see cref="WorkflowValidator"/> lists every
/// problem of a definition.
/// </summary>
[GenerateSerializer, Immutable, Alias("Agents.WorkflowDefinition")]
public sealed record WorkflowDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string Team,
    [property: Id(2)] string Task,
    [property: Id(3)] IReadOnlyList<WorkflowAgent> Agents,
    [property: Id(4)] string Topology = WorkflowTopology.Sequential,
    [property: Id(5)] string? Manager = null,
    [property: Id(6)] WorkflowLimits? Limits = null,
    [property: Id(7)] string OnError = WorkflowOnError.Fail,
    [property: Id(8)] IReadOnlyList<string>? Knowledge = null)
{
    public WorkflowLimits EffectiveLimits => Limits ?? new WorkflowLimits();
}
