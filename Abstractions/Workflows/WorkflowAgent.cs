namespace Agents.Abstractions.Workflows;

/// <summary>One agent of a workflow: its id (unique in the workflow, and its memory's name in the team),
/// its role, optional instructions, and its model: <c>default</c> (the endpoint's chat model, or offline
/// without one), <c>offline</c>, or a model name the endpoint serves.</summary>
[GenerateSerializer, Immutable, Alias("Agents.WorkflowAgent")]
public sealed record WorkflowAgent(
    [property: Id(0)] string Id,
    [property: Id(1)] string Role,
    [property: Id(2)] string? Instructions = null,
    [property: Id(3)] string Model = WorkflowAgent.DefaultModel)
{
    public const string DefaultModel = "default";
    public const string OfflineModel = "offline";
}
