namespace Agents.Client.Api;

/// <summary>A bulk add's receipts, one per add in the order sent.</summary>
public sealed record AddMemoriesResponse(IReadOnlyList<AddMemoryResponse> Results);
