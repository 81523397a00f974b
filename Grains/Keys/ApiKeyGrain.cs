using System.Security.Cryptography;
using Agents.Abstractions;
using Agents.Abstractions.Keys;

namespace Agents.Grains.Keys;

/// <summary>
/// One API key, its state in Orleans grain storage (PostgreSQL with the cluster's database, in memory
/// on an embedded silo). The activation keeps the record in memory, so checking a key costs a grain
/// call and no database read; writes go through the storage's ETag, so two silos never both create one prefix.
/// </summary>
public sealed class ApiKeyGrain([PersistentState("apikey")] IPersistentState<ApiKeyState> state, TimeProvider time) : Grain, IApiKeyGrain
{
    public const int HashLength = 32;

    public async Task<ApiKeyInfo> CreateAsync(string tenant, byte[] keyHash, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        if (keyHash is not { Length: HashLength }) throw new InvalidRequestException($"A key hash is {HashLength} bytes (SHA-256).");
        if (state.RecordExists) throw new ConflictException($"The key prefix {this.GetPrimaryKeyString()} is taken.");
        state.State = new ApiKeyState { Hash = keyHash, Tenant = tenant, CreatedAt = time.GetUtcNow() };
        await state.WriteStateAsync(cancellationToken);
        return Info()!;
    }

    public Task<string?> VerifyAsync(byte[] keyHash, CancellationToken cancellationToken = default)
    {
        var s = state.State;
        var valid = state.RecordExists && s.RevokedAt is null && s.Hash is { } hash && keyHash is { Length: HashLength }
                    && CryptographicOperations.FixedTimeEquals(hash, keyHash);
        return Task.FromResult(valid ? s.Tenant : null);
    }

    public async Task<bool> RevokeAsync(CancellationToken cancellationToken = default)
    {
        if (!state.RecordExists || state.State.RevokedAt is not null) return false;
        state.State.RevokedAt = time.GetUtcNow();
        await state.WriteStateAsync(cancellationToken);
        return true;
    }

    public Task<ApiKeyInfo?> DescribeAsync(CancellationToken cancellationToken = default) => Task.FromResult(Info());

    private ApiKeyInfo? Info() => state.RecordExists && state.State.Tenant is { } tenant
        ? new ApiKeyInfo(this.GetPrimaryKeyString(), tenant, state.State.CreatedAt, state.State.RevokedAt)
        : null;
}
