namespace Agents.Abstractions.Inference;

/// <summary>A message of a conversation with a model: <c>system</c>, <c>user</c>, <c>assistant</c> (text
/// and/or function calls) or <c>tool</c> (a function's result for <see cref="ToolCallId"/>).</summary>
[GenerateSerializer, Immutable, Alias("Agents.ChatTurnMessage")]
public sealed record ChatTurnMessage(
    [property: Id(0)] string Role,
    [property: Id(1)] string? Text,
    [property: Id(2)] IReadOnlyList<ChatToolCall>? ToolCalls = null,
    [property: Id(3)] string? ToolCallId = null);
