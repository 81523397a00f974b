namespace Agents.Abstractions.Memory;

/// <summary>One change in a memory's history.</summary>
[GenerateSerializer, Immutable, Alias("Agents.MemoryChange")]
public sealed record MemoryChange(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Event,
    [property: Id(2)] string? OldContent,
    [property: Id(3)] string? NewContent,
    [property: Id(4)] string Actor);
