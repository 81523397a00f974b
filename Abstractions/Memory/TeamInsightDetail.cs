namespace Agents.Abstractions.Memory;

/// <summary>A G-Memory insight of a team ("do X, because Y") with its score; retired once its score
/// fell to zero or it was merged into another. <see cref="SupportedBy"/>: the recorded runs behind it.</summary>
[GenerateSerializer, Immutable, Alias("Agents.TeamInsightDetail")]
public sealed record TeamInsightDetail(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Text,
    [property: Id(2)] int Score,
    [property: Id(3)] bool Retired,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset UpdatedAt,
    [property: Id(6)] IReadOnlyList<Guid> SupportedBy);
