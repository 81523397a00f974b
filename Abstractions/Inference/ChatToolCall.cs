namespace Agents.Abstractions.Inference;

/// <summary>A function the model asked to call: the call's id, the function's name, its arguments as JSON.</summary>
[GenerateSerializer, Immutable, Alias("Agents.ChatToolCall")]
public sealed record ChatToolCall([property: Id(0)] string Id, [property: Id(1)] string Name, [property: Id(2)] string ArgumentsJson);
