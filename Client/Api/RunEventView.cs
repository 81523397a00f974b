namespace Agents.Client.Api;

/// <summary>One event of a run, numbered from 1 in order: <c>run.started</c>, <c>step.started</c>,
/// <c>model.called</c> (with tokens), <c>memory.read</c> / <c>memory.written</c> (with ids),
/// <c>step.finished</c> / <c>step.failed</c> / <c>step.skipped</c>, <c>run.finished</c> /
/// <c>run.failed</c> / <c>run.cancelled</c>.</summary>
public sealed record RunEventView
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string Type { get; init; } = "";
    public string Message { get; init; } = "";
    public int? Step { get; init; }
    public string? Agent { get; init; }
    public string? Model { get; init; }
    public int? PromptTokens { get; init; }
    public int? CompletionTokens { get; init; }
    public IReadOnlyList<Guid> MemoryIds { get; init; } = [];

    public bool IsFinal => Type is "run.finished" or "run.failed" or "run.cancelled";
}
