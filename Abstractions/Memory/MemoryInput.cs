namespace Agents.Abstractions.Memory;

/// <summary>
/// New input for a memory scope, observed together at <see cref="ObservedAt"/>. An add is idempotent:
/// a retry with the same <see cref="IdempotencyKey"/> (or, without one, the same messages and time)
/// stores nothing new and answers with the first add's receipt.
/// </summary>
[GenerateSerializer, Immutable, Alias("Agents.MemoryInput")]
public sealed record MemoryInput(
    [property: Id(0)] IReadOnlyList<TurnInput> Messages,
    [property: Id(1)] DateTimeOffset ObservedAt,
    [property: Id(2)] string? IdempotencyKey = null);
