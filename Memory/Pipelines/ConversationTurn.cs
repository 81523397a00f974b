namespace Agents.Memory.Pipelines;

/// <summary>One message of a conversation as the pipelines see it: who said it (if known) and what.</summary>
public sealed record ConversationTurn(string? Speaker, string Content)
{
    public override string ToString() => string.IsNullOrWhiteSpace(Speaker) ? Content : $"{Speaker}: {Content}";
}
