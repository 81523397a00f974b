namespace Agents.Abstractions;

/// <summary>The request is malformed or out of range (empty text, wrong vector dimension, a bad key or
/// limit). Nothing was written; the same request will fail again.</summary>
[GenerateSerializer, Alias("Agents.InvalidRequestException")]
public sealed class InvalidRequestException(string message) : AgentsException(message);
