namespace Agents.Client.Api;

/// <summary>
/// New input for a scope: <see cref="Messages"/>, or <see cref="Text"/> for one message. Observed at
/// <see cref="ObservedAt"/> (default: now). A retry with the same <see cref="IdempotencyKey"/> stores
/// nothing new and returns the first add's receipt.
/// </summary>
public sealed record AddMemoryRequest
{
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? RunId { get; init; }
    public string? TeamId { get; init; }
    public IReadOnlyList<MessageInput>? Messages { get; init; }
    public string? Text { get; init; }
    public string? Speaker { get; init; }
    public DateTimeOffset? ObservedAt { get; init; }
    public string? IdempotencyKey { get; init; }

    public MemoryScopeIds Scope => new(UserId, AgentId, RunId, TeamId);
}
