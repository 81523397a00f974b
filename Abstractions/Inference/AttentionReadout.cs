namespace Agents.Abstractions.Inference;

/// <summary>The attended memories (best first) with their weights (summing to 1) and cosines, and the readout vector.</summary>
[GenerateSerializer, Immutable, Alias("Agents.AttentionReadout")]
public sealed record AttentionReadout(
    [property: Id(0)] IReadOnlyList<Guid> Ids,
    [property: Id(1)] IReadOnlyList<float> Weights,
    [property: Id(2)] IReadOnlyList<float> Scores,
    [property: Id(3)] float[] Readout);
