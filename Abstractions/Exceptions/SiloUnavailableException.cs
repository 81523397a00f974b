namespace Agents.Abstractions;

/// <summary>The silo or gateway that held the request is gone (dead, shut down, or its connection broke)
/// before a response arrived. The request may or may not have run.</summary>
public sealed class SiloUnavailableException(string message, Exception? inner = null) : GrainRuntimeException(message, inner);
