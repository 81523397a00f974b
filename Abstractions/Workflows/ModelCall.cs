namespace Agents.Abstractions.Workflows;

/// <summary>One call to a model during a step: which model, its token usage (when the endpoint reports
/// it) and how long it took.</summary>
[GenerateSerializer, Immutable, Alias("Agents.ModelCall")]
public sealed record ModelCall(
    [property: Id(0)] string Model,
    [property: Id(1)] int? PromptTokens,
    [property: Id(2)] int? CompletionTokens,
    [property: Id(3)] double Milliseconds,
    [property: Id(4)] IReadOnlyList<string> ToolCalls);
