using Agents.Abstractions.Workflows;

namespace Agents.Grains.Workflows;

/// <summary>The next unit of a run: steps to run (several at once for a manager's workers), or the
/// output that is the run's answer (<see cref="Finish"/>), with a note on why it ends.</summary>
public sealed record ScheduledWork(IReadOnlyList<ScheduledStep> Steps, StepOutput? Finish, string? Note = null);
