using Orleans.Concurrency;

namespace Agents.Abstractions.Keys;

/// <summary>
/// One API key of the service (key: the key's public prefix). It holds the SHA-256 of the whole key,
/// never the key, and the tenant it maps to; revoking keeps the record so that the prefix is never
/// reissued. One activation cluster-wide, so a revocation is seen by the next check on every silo.
/// </summary>
[Alias("Agents.IApiKeyGrain")]
public interface IApiKeyGrain : IGrainWithStringKey
{
    /// <summary>Records a new key. <see cref="ConflictException"/> if the prefix is taken.</summary>
    [Alias("Create")]
    Task<ApiKeyInfo> CreateAsync(string tenant, byte[] keyHash, CancellationToken cancellationToken = default);

    /// <summary>The tenant of a live key whose hash matches; null otherwise (unknown, revoked, wrong secret).</summary>
    [Alias("Verify"), ReadOnly]
    Task<string?> VerifyAsync(byte[] keyHash, CancellationToken cancellationToken = default);

    /// <summary>Revokes the key; false if no key has this prefix or it was revoked already.</summary>
    [Alias("Revoke")]
    Task<bool> RevokeAsync(CancellationToken cancellationToken = default);

    [Alias("Describe"), ReadOnly]
    Task<ApiKeyInfo?> DescribeAsync(CancellationToken cancellationToken = default);
}
