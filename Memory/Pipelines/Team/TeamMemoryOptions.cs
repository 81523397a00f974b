namespace Agents.Memory.Pipelines.Team;

/// <summary>G-Memory's settings (its defaults).</summary>
public sealed class TeamMemoryOptions
{
    /// <summary>Cosine similarity at or above which two tasks are linked in the query graph.</summary>
    public double TaskSimilarity { get; set; } = 0.7;

    /// <summary>Tasks recorded before insights are first refined.</summary>
    public int StartInsightsAfter { get; set; } = 5;

    /// <summary>Refine insights every this many tasks.</summary>
    public int RefineEvery { get; set; } = 5;

    /// <summary>Merge near-duplicate insights every this many tasks (G-Memory: 20).</summary>
    public int MergeEvery { get; set; } = 20;

    /// <summary>Share of one rule's words the other must hold for the two to be merged.</summary>
    public double MergeOverlap { get; set; } = 0.8;

    /// <summary>Recent tasks looked at by one refinement.</summary>
    public int RefineWindow { get; set; } = 10;

    /// <summary>Score of a new insight; AGREE and EDIT add one, REMOVE takes one; at zero it is retired.</summary>
    public int InitialScore { get; set; } = 2;

    /// <summary>Score change of the insights used by a task that succeeded / failed (G-Memory: +1 / -2).</summary>
    public int SuccessReward { get; set; } = 1;
    public int FailurePenalty { get; set; } = 2;
}

/// <summary>What the team memory recalls for a new task.</summary>
public sealed record TeamRecall(
    IReadOnlyList<Model.MemoryRecord> RelatedTasks,
    IReadOnlyList<Model.MemoryRecord> Insights,
    IReadOnlyList<Model.MemoryRecord> SuccessfulTrajectories,
    IReadOnlyList<Model.MemoryRecord> FailedTrajectories);
