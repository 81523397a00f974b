namespace Agents.Memory.Pipelines;

/// <summary>Settings of the write pipelines (options pattern: bind from "Memory:Pipelines").</summary>
public sealed class MemoryPipelineOptions
{
    /// <summary>Nearest notes the A-MEM link decider sees.</summary>
    public int NeighbourCount { get; set; } = 5;

    /// <summary>Nearest existing facts each new fact is compared with (Mem0).</summary>
    public int FactCandidateCount { get; set; } = 5;

    /// <summary>Cosine similarity at or above which two entities of one scope are the same (Mem0 graph: 0.7).</summary>
    public double EntityMergeSimilarity { get; set; } = 0.7;

    /// <summary>Neighbouring turns a note's context is made from, before and after it (0: none). Turns
    /// before come with the add or from the scope's latest notes; turns after reach it by evolution.</summary>
    public int ContextTurns { get; set; } = 2;

    /// <summary>Notes observed longer than this before a new message belong to an earlier conversation:
    /// they are neither its context nor evolved by it.</summary>
    public TimeSpan ConversationGap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Run the A-MEM note pipeline.</summary>
    public bool Notes { get; set; } = true;

    /// <summary>Run the Mem0 fact pipeline.</summary>
    public bool Facts { get; set; } = true;

    /// <summary>Run the knowledge-graph pipeline.</summary>
    public bool Graph { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (NeighbourCount is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(NeighbourCount), NeighbourCount, "NeighbourCount must lie between 0 and 100.");
        if (FactCandidateCount is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(FactCandidateCount), FactCandidateCount, "FactCandidateCount must lie between 0 and 100.");
        if (!double.IsFinite(EntityMergeSimilarity) || EntityMergeSimilarity is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(EntityMergeSimilarity), EntityMergeSimilarity, "EntityMergeSimilarity must lie in [0, 1].");
        if (ContextTurns is < 0 or > 20) throw new ArgumentOutOfRangeException(nameof(ContextTurns), ContextTurns, "ContextTurns must lie between 0 and 20.");
        if (ConversationGap < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ConversationGap), ConversationGap, "ConversationGap must not be negative.");
    }
}
