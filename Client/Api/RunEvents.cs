namespace Agents.Client.Api;

/// <summary>A page of a run's events after an id, and whether the run has ended (no more will come).</summary>
public sealed record RunEvents(string RunId, IReadOnlyList<RunEventView> Events, bool Finished);
