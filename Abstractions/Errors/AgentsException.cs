namespace Agents.Abstractions;

/// <summary>
/// Base of the errors Agents' grains raise on purpose. Each subclass tells the caller what to do
/// (fix the request, look elsewhere, retry later); the message says why. They cross the wire intact.
/// </summary>
[GenerateSerializer, Alias("Agents.AgentsException")]
public abstract class AgentsException(string message, Exception? inner = null) : Exception(message, inner);
