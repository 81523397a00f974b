namespace Agents.Abstractions;

/// <summary>A concurrent change won (the version read is no longer current). Read again and retry.</summary>
[GenerateSerializer, Alias("Agents.ConflictException")]
public sealed class ConflictException(string message) : AgentsException(message);
