namespace Agents.Memory.Agents;

/// <summary>A memory found for a question: its id, its text, whose memory it is, and its fused score.
/// <see cref="Similarity"/>, when known, is the cosine of the memory's text to the question's.</summary>
public sealed record RecalledMemory(Guid Id, string Text, string Source, double Score)
{
    public double? Similarity { get; init; }
}
