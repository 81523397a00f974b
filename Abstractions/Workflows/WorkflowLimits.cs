namespace Agents.Abstractions.Workflows;

/// <summary>A run's bounds: agent steps in all, and wall-clock seconds from its start.</summary>
[GenerateSerializer, Immutable, Alias("Agents.WorkflowLimits")]
public sealed record WorkflowLimits([property: Id(0)] int Steps = 12, [property: Id(1)] int Seconds = 120)
{
    public const int MaxSteps = 200;
    public const int MaxSeconds = 86_400;
}
