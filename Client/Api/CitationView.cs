namespace Agents.Client.Api;

/// <summary>A memory an answer cites: its id, its text, and whose memory it is (<c>team</c>, <c>agent:ID</c>).</summary>
public sealed record CitationView(Guid Id, string Text, string Source);
