namespace Agents.Abstractions.Workflows;

/// <summary>How the agents of a workflow work together.</summary>
public static class WorkflowTopology
{
    /// <summary>A pipeline: each agent in turn, seeing the previous one's output; the last one answers.</summary>
    public const string Sequential = "sequential";

    /// <summary>A discussion: the agents take turns until they agree (an answer repeats unchanged) or the steps run out.</summary>
    public const string RoundRobin = "round-robin";

    /// <summary>The manager splits the task, the workers take the parts in parallel, the manager merges their answers.</summary>
    public const string ManagerWorkers = "manager-workers";

    public static IReadOnlyList<string> All { get; } = [Sequential, RoundRobin, ManagerWorkers];
}
