namespace Agents.Abstractions;

/// <summary>Base of the errors the grain runtime itself raises (as opposed to grain code).</summary>
public abstract class GrainRuntimeException(string message, Exception? inner = null) : Exception(message, inner);
