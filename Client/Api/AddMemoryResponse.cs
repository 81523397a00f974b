namespace Agents.Client.Api;

/// <summary>What an add stored durably: the raw input's id (a memory of kind <c>episode</c>), the ids
/// its notes will have once the background pipeline ran, the job id, and whether it was a retry.</summary>
public sealed record AddMemoryResponse(Guid EpisodeId, IReadOnlyList<Guid> MemoryIds, Guid JobId, bool Repeated, string Status);
