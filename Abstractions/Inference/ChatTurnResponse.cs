namespace Agents.Abstractions.Inference;

/// <summary>The model's turn: its text and/or function calls, the model that answered, and token usage
/// when the endpoint reports it.</summary>
[GenerateSerializer, Immutable, Alias("Agents.ChatTurnResponse")]
public sealed record ChatTurnResponse(
    [property: Id(0)] string? Text,
    [property: Id(1)] IReadOnlyList<ChatToolCall> ToolCalls,
    [property: Id(2)] string Model,
    [property: Id(3)] int? PromptTokens,
    [property: Id(4)] int? CompletionTokens);
