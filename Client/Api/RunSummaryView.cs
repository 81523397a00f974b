namespace Agents.Client.Api;

/// <summary>A run in the tenant's list of runs.</summary>
public sealed record RunSummaryView(string RunId, string Name, string Team, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);
