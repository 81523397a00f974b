namespace Agents.Abstractions;

/// <summary>
/// A model endpoint failed the call: it timed out on every attempt, answered with an error that
/// retrying did not fix, or returned output that could not be read even after a repair call.
/// <see cref="Reason"/> is <c>timeout</c>, <c>http</c>, <c>output</c>, <c>embedding</c>, or
/// <c>unavailable</c> (no endpoint serves the model asked for).
/// </summary>
[GenerateSerializer, Alias("Agents.ModelFailedException")]
public sealed class ModelFailedException(string message, string reason) : AgentsException(message)
{
    [Id(0)] public string Reason { get; private set; } = reason;
}
