namespace Agents.Client.Api;

/// <summary>A scope's background pipeline: jobs pending, whether one runs, how many ran, the last error, the silo.</summary>
public sealed record PipelineStatusView(long Pending, bool Running, long Processed, string? LastError, string Silo);
