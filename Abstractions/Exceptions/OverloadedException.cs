namespace Agents.Abstractions;

/// <summary>The target activation's queue is full; the request was rejected without running. Retry later.</summary>
public sealed class OverloadedException(string message) : GrainRuntimeException(message);
