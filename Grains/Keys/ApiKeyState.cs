namespace Agents.Grains.Keys;

/// <summary>The stored record of one API key: the SHA-256 of the key, never the key.</summary>
[GenerateSerializer, Alias("Agents.ApiKeyState")]
public sealed class ApiKeyState
{
    [Id(0)] public byte[]? Hash { get; set; }
    [Id(1)] public string? Tenant { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public DateTimeOffset? RevokedAt { get; set; }
}
