namespace Agents.Client.Api;

/// <summary>A team's insights, best first.</summary>
public sealed record InsightResults(string TeamId, IReadOnlyList<InsightView> Results);
