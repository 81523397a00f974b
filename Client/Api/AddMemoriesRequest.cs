namespace Agents.Client.Api;

/// <summary>A bulk add: up to 1,000 adds (any scopes of the tenant), each as <see cref="AddMemoryRequest"/>.
/// All are checked before any is stored; each scope's adds are stored in one transaction.</summary>
public sealed record AddMemoriesRequest(IReadOnlyList<AddMemoryRequest> Adds);
