namespace Agents.Abstractions.Workflows;

/// <summary>A memory an answer rests on: its id, its text, and whose memory it is (an agent's or the team's).</summary>
[GenerateSerializer, Immutable, Alias("Agents.Citation")]
public sealed record Citation([property: Id(0)] Guid Id, [property: Id(1)] string Text, [property: Id(2)] string Source);
