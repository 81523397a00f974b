namespace Agents.Abstractions.Workflows;

/// <summary>What one step of a run produced: who, what it said, and the memories it cited.</summary>
[GenerateSerializer, Immutable, Alias("Agents.StepOutput")]
public sealed record StepOutput(
    [property: Id(0)] int Step,
    [property: Id(1)] string Agent,
    [property: Id(2)] string Text,
    [property: Id(3)] IReadOnlyList<Citation> Citations);
