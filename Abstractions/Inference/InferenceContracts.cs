using Agents.Abstractions.Memory;

namespace Agents.Abstractions.Inference;

/// <summary>
/// A sparse-attention read over the memory bank of <paramref name="Scope"/>: a query given as text
/// (embedded by the pool) or as a vector, the number of memories to attend to, the clusters probed and
/// the softmax temperature.
/// </summary>
public sealed record AttentionQuery(ScopeRef Scope, string? Text = null, float[]? Vector = null, int K = 10, int Probes = 8, float Temperature = 0.1f);

/// <summary>The attended memories (best first) with their weights (summing to 1) and cosines, and the readout vector.</summary>
public sealed record AttentionReadout(IReadOnlyList<Guid> Ids, IReadOnlyList<float> Weights, IReadOnlyList<float> Scores, float[] Readout);

/// <summary>A chat request fronted by the pool (bounded concurrency per endpoint).</summary>
public sealed record ChatPrompt(string System, string User);

/// <summary>Queue depth and batch sizes of one of the pool's queues.</summary>
public sealed record QueueStats(string Queue, int Depth, long Batches, long Requests, long Rejected, int MaxBatch, double MeanBatch);

/// <summary>The pool's backend and queues on the silo that answered.</summary>
public sealed record InferencePoolStats(string Silo, string Backend, IReadOnlyList<QueueStats> Queues);
