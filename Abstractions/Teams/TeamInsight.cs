namespace Agents.Abstractions.Teams;

/// <summary>A rule the team learnt ("do X, because Y") and its score (retired at zero).</summary>
[GenerateSerializer, Immutable, Alias("Agents.TeamInsight")]
public sealed record TeamInsight([property: Id(0)] Guid Id, [property: Id(1)] string Text, [property: Id(2)] int Score);
