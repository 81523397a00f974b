namespace Agents.Abstractions.Keys;

/// <summary>What is known about a key without its secret.</summary>
[GenerateSerializer, Immutable, Alias("Agents.ApiKeyInfo")]
public sealed record ApiKeyInfo(
    [property: Id(0)] string Prefix,
    [property: Id(1)] string Tenant,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset? RevokedAt);
