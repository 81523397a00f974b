namespace Agents.Abstractions.Workflows;

/// <summary>What a step asks of its agent.</summary>
public static class AgentStepKind
{
    /// <summary>Answer the step's question from memory (and the previous outputs).</summary>
    public const string Answer = "answer";

    /// <summary>Split the task into parts for the workers (manager-workers).</summary>
    public const string Plan = "plan";

    /// <summary>Merge the workers' answers into one (manager-workers).</summary>
    public const string Merge = "merge";
}
