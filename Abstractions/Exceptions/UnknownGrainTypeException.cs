namespace Agents.Abstractions;

/// <summary>The grain interface or grain type is not known: no generated proxy, or no silo hosts an
/// implementation of it.</summary>
public sealed class UnknownGrainTypeException(string message) : GrainRuntimeException(message);
