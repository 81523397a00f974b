namespace Agents.Client.Api;

/// <summary>A memory's new content (re-embedded; one history entry).</summary>
public sealed record UpdateMemoryRequest(string? Content);
