namespace Agents.Abstractions;

/// <summary>The memory database could not be reached or refused the statement for a passing reason (a
/// restart, a lost connection). Nothing was acknowledged; retry later.</summary>
[GenerateSerializer, Alias("Agents.StoreUnavailableException")]
public sealed class StoreUnavailableException(string message) : AgentsException(message);
