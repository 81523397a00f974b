namespace Agents.Memory.Pipelines;

/// <summary>
/// One message of a conversation as the pipelines see it: who said it (if known), what, and
/// optionally the id of the turn it is (kept as the source of every memory made from it).
/// </summary>
public sealed record ConversationTurn(string? Speaker, string Content)
{
    public string? SourceId { get; init; }

    public override string ToString() => string.IsNullOrWhiteSpace(Speaker) ? Content : $"{Speaker}: {Content}";
}
