using Agents.Abstractions.Workflows;

namespace Agents.Abstractions;

/// <summary>A workflow definition has problems (<see cref="Problems"/>, all of them, each naming its
/// field); nothing ran. <see cref="WorkflowValidator"/> gives the same list.</summary>
[GenerateSerializer, Alias("Agents.InvalidWorkflowException")]
public sealed class InvalidWorkflowException(IReadOnlyList<string> problems)
    : AgentsException($"The workflow is invalid: {string.Join("; ", problems)}")
{
    [Id(0)] public IReadOnlyList<string> Problems { get; private set; } = problems;
}
