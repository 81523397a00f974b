using Agents.Abstractions.Memory;

namespace Agents.Abstractions.Inference;

/// <summary>
/// A sparse-attention read over the memory bank of <paramref name="Scope"/>: a query given as text
/// (embedded by the pool) or as a vector, the number of memories to attend to, the clusters probed and
/// the softmax temperature.
/// </summary>
[GenerateSerializer, Immutable, Alias("Agents.AttentionQuery")]
public sealed record AttentionQuery(
    [property: Id(0)] ScopeRef Scope,
    [property: Id(1)] string? Text = null,
    [property: Id(2)] float[]? Vector = null,
    [property: Id(3)] int K = 10,
    [property: Id(4)] int Probes = 8,
    [property: Id(5)] float Temperature = 0.1f);
