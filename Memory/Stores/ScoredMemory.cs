using Agents.Memory.Model;

namespace Agents.Memory.Stores;

/// <summary>A search hit: the record and its score (cosine similarity in [-1, 1] for vector search;
/// BM25 for full-text, larger is better, comparable only within one result list).</summary>
public readonly record struct ScoredMemory(MemoryRecord Record, double Score);
