namespace Agents.Memory.Agents;

/// <summary>A memory found for a question: its id, its text, whose memory it is, and its fused score.</summary>
public sealed record RecalledMemory(Guid Id, string Text, string Source, double Score);
