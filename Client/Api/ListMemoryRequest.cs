namespace Agents.Client.Api;

/// <summary>A page of a scope's memories, oldest observation first (default kinds: note, fact, entity).</summary>
public sealed record ListMemoryRequest(MemoryScopeIds Scope, int Limit = 100, int Offset = 0, IReadOnlyList<string>? Kinds = null, DateTimeOffset? AsOf = null, bool IncludeExpired = false);
