using Agents.Abstractions.Workflows;

namespace Agents.Client.Workflows;

/// <summary>A definition read from text: the definition when it has no problems, else every problem.</summary>
public sealed record WorkflowDefinitionRead(WorkflowDefinition? Definition, IReadOnlyList<string> Problems);
