namespace Agents.Abstractions.Inference;

/// <summary>One model turn: the conversation so far, the functions the model may call, and the model
/// (null: the endpoint's chat model).</summary>
[GenerateSerializer, Immutable, Alias("Agents.ChatTurnRequest")]
public sealed record ChatTurnRequest(
    [property: Id(0)] IReadOnlyList<ChatTurnMessage> Messages,
    [property: Id(1)] IReadOnlyList<ChatTool> Tools,
    [property: Id(2)] string? Model = null,
    [property: Id(3)] float? Temperature = null);
