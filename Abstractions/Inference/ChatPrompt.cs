namespace Agents.Abstractions.Inference;

/// <summary>A chat request fronted by the pool (bounded concurrency per endpoint).</summary>
[GenerateSerializer, Immutable, Alias("Agents.ChatPrompt")]
public sealed record ChatPrompt([property: Id(0)] string System, [property: Id(1)] string User);
