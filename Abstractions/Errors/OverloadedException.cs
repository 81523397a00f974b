namespace Agents.Abstractions;

/// <summary>A queue is full; the request was refused without running. Retry later.</summary>
[GenerateSerializer, Alias("Agents.OverloadedException")]
public sealed class OverloadedException(string message) : AgentsException(message);
