namespace Agents.Abstractions.Memory;

/// <summary>What an add stored durably: the raw input's id, the ids its notes will have, and the
/// pending work's id. <see cref="Repeated"/>: the add was a retry of one already stored.</summary>
[GenerateSerializer, Immutable, Alias("Agents.MemoryAddReceipt")]
public sealed record MemoryAddReceipt(
    [property: Id(0)] Guid EpisodeId,
    [property: Id(1)] IReadOnlyList<Guid> NoteIds,
    [property: Id(2)] Guid JobId,
    [property: Id(3)] bool Repeated = false);
