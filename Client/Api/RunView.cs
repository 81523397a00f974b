namespace Agents.Client.Api;

/// <summary>A workflow run as the API shows it: its state (<c>running</c>, <c>completed</c>,
/// <c>failed</c>, <c>cancelled</c>), the answer and its citations once completed, the reason once
/// failed, the steps taken, the id of its last event, the team insights it was given, its silo.</summary>
public sealed record RunView
{
    public string RunId { get; init; } = "";
    public string Name { get; init; } = "";
    public string Team { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Answer { get; init; }
    public IReadOnlyList<CitationView> Citations { get; init; } = [];
    public int Steps { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public long LastEventId { get; init; }
    public IReadOnlyList<Guid> InsightsUsed { get; init; } = [];
    public string Silo { get; init; } = "";
}
