namespace Agents.Abstractions.Memory;

/// <summary>
/// Where a scope's background pipeline stands on the silo that owns it: jobs still pending, whether a
/// job is running now, how many ran in this activation, the last failure, and which silo runs it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Agents.MemoryPipelineStatus")]
public sealed record MemoryPipelineStatus(
    [property: Id(0)] long Pending,
    [property: Id(1)] bool Running,
    [property: Id(2)] long Processed,
    [property: Id(3)] string? LastError,
    [property: Id(4)] string Silo);
