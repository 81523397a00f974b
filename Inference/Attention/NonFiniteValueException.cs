namespace Agents.Inference.Attention;

/// <summary>A key, value or query holds NaN or an infinity (or, for keys and queries, has zero length).</summary>
public sealed class NonFiniteValueException(string paramName, string message) : ArgumentException(message, paramName);
