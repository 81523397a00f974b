namespace Agents.Client.Api;

/// <summary>What deleting a scope removed, row by row.</summary>
public sealed record ScopeErasureView(long Records, long Embeddings, long Edges, long History, long Jobs);
