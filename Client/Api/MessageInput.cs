namespace Agents.Client.Api;

/// <summary>One message of an add: its text, and who said it (<see cref="Speaker"/>, else <see cref="Role"/>).</summary>
public sealed record MessageInput(string Content, string? Role = null, string? Speaker = null, string? SourceId = null);
