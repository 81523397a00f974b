namespace Agents.Client.Api;

/// <summary>An operator's request for a new API key of a tenant.</summary>
public sealed record CreateKeyRequest(string? Tenant);
