namespace Agents.Abstractions.Workflows;

/// <summary>
/// One thing that happened in a run, numbered from 1 in order (<see cref="Id"/>), so that a client can
/// re-attach and replay from the last id it saw. <see cref="MemoryIds"/>: the memories read or written;
/// tokens: a model call's usage.
/// </summary>
[GenerateSerializer, Immutable, Alias("Agents.WorkflowEvent")]
public sealed record WorkflowEvent(
    [property: Id(0)] long Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Type,
    [property: Id(3)] string Message,
    [property: Id(4)] int? Step = null,
    [property: Id(5)] string? Agent = null,
    [property: Id(6)] string? Model = null,
    [property: Id(7)] int? PromptTokens = null,
    [property: Id(8)] int? CompletionTokens = null,
    [property: Id(9)] IReadOnlyList<Guid>? MemoryIds = null);
