namespace Agents.Memory.Pipelines.Team;

/// <summary>
/// Without a model: drop steps with a negative reward (G-Memory does the same), keep each remaining
/// step's action (or message) with its observation, at most <see cref="MaxSteps"/>; a failed task's
/// reason is its last observation.
/// </summary>
public sealed class OfflineTaskCondenser : ITaskCondenser
{
    public const int MaxSteps = 12;

    public ValueTask<CondensedTask> CondenseAsync(TeamTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        cancellationToken.ThrowIfCancellationRequested();
        var steps = new List<string>();
        foreach (var s in task.Steps)
        {
            if (s.Reward < 0) continue;
            var what = string.IsNullOrWhiteSpace(s.Action) ? s.Message : s.Action;
            if (string.IsNullOrWhiteSpace(what)) continue;
            var line = $"{s.Agent}: {what.Trim()}" + (string.IsNullOrWhiteSpace(s.Observation) ? "" : $" -> {s.Observation.Trim()}");
            if (steps.Count == 0 || steps[^1] != line) steps.Add(line);
        }
        if (steps.Count > MaxSteps) steps = [.. steps.Take(MaxSteps / 2), .. steps.TakeLast(MaxSteps / 2)];
        var reason = task.Succeeded ? null : task.Steps.LastOrDefault(static s => !string.IsNullOrWhiteSpace(s.Observation))?.Observation?.Trim() ?? "no outcome was observed";
        return ValueTask.FromResult(new CondensedTask(task.Task, steps, task.Succeeded, reason));
    }
}
