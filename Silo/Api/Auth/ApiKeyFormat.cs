using System.Security.Cryptography;
using System.Text;

namespace Agents.Silo.Api.Auth;

/// <summary>
/// API keys: <c>agk_</c>, a public prefix of 12 hex digits (names the key for revocation and finds its
/// record), <c>_</c>, and 32 random bytes in base64url. Only the SHA-256 of the whole key is stored: a
/// key holds 256 random bits, so a fast hash suffices (a password hash guards guessable secrets).
/// </summary>
public static class ApiKeyFormat
{
    public const string Scheme = "agk";
    private const int PrefixLength = 12;

    /// <summary>A new random key and its prefix.</summary>
    public static (string Key, string Prefix) Generate()
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PrefixLength / 2));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return ($"{Scheme}_{prefix}_{secret}", prefix);
    }

    /// <summary>The prefix of a well-formed key, else null.</summary>
    public static string? PrefixOf(string key)
    {
        if (key.Length != Scheme.Length + 1 + PrefixLength + 1 + 43 || !key.StartsWith(Scheme + "_", StringComparison.Ordinal)) return null;
        var prefix = key.Substring(Scheme.Length + 1, PrefixLength);
        if (key[Scheme.Length + 1 + PrefixLength] != '_' || !IsPrefix(prefix)) return null;
        foreach (var c in key.AsSpan(Scheme.Length + PrefixLength + 2))
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return null;
        return prefix;
    }

    /// <summary>Whether <paramref name="prefix"/> could name a key (what revocation accepts).</summary>
    public static bool IsPrefix(string prefix) => prefix.Length == PrefixLength && prefix.All(char.IsAsciiHexDigitLower);

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
