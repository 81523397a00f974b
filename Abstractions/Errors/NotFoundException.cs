namespace Agents.Abstractions;

/// <summary>The named memory, run or scope content does not exist for the caller (never created,
/// deleted, or owned by another scope or tenant).</summary>
[GenerateSerializer, Alias("Agents.NotFoundException")]
public sealed class NotFoundException(string message) : AgentsException(message);
