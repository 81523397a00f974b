namespace Agents.Client.Api;

/// <summary>A team's recorded runs, newest first.</summary>
public sealed record TeamRunResults(string TeamId, IReadOnlyList<TeamRunView> Results);
