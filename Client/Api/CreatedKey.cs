namespace Agents.Client.Api;

/// <summary>A new API key (shown once: only its hash is kept), its tenant, and the prefix that revokes it.</summary>
public sealed record CreatedKey(string Key, string Tenant, string Prefix, DateTimeOffset CreatedAt);
