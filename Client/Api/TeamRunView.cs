namespace Agents.Client.Api;

/// <summary>A run a team recorded: its task, outcome, condensed trajectory and similar earlier runs.</summary>
public sealed record TeamRunView(Guid Id, string Task, bool Succeeded, DateTimeOffset ObservedAt, Guid? TrajectoryId, IReadOnlyList<string> KeySteps, string? FailureReason, IReadOnlyList<Guid> SimilarRuns);
