namespace Agents.Abstractions.Memory;

/// <summary>One message of new input: who said it, what, and the id of where it came from.</summary>
[GenerateSerializer, Immutable, Alias("Agents.TurnInput")]
public sealed record TurnInput([property: Id(0)] string? Speaker, [property: Id(1)] string Text, [property: Id(2)] string? SourceId = null);
