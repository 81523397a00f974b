namespace Agents.Silo.Api;

/// <summary>The HTTP face of a serving silo (section <c>Agents:Http</c>).</summary>
public sealed class AgentsHttpOptions
{
    public const string Section = "Agents:Http";

    /// <summary>Where the API listens, <c>;</c>-separated.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The operators' key: creates and revokes tenants' keys. Unset: key administration is off.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Largest request body accepted (413 above).</summary>
    public long MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>Requests per second each API key may make on this silo, sustained.</summary>
    public int RateLimitPerSecond { get; set; } = 2000;

    /// <summary>Requests a key may make at once above the sustained rate (the bucket's size).</summary>
    public int RateLimitBurst { get; set; } = 4000;

    /// <summary>Longest a request may wait for a memory scope's pipeline to go idle (<c>wait=true</c>);
    /// below Orleans' response time-out (30 s), so the wait ends with a status rather than a time-out.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(20);

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Urls)) throw new ArgumentException("Agents:Http:Urls must name at least one URL.", nameof(Urls));
        if (!string.IsNullOrWhiteSpace(AdminKey) && AdminKey.Trim().Length < 16)
            throw new ArgumentException("Agents:Http:AdminKey must be at least 16 characters (use a long random string).", nameof(AdminKey));
        if (MaxRequestBytes is < 1024 or > 1024L * 1024 * 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxRequestBytes), MaxRequestBytes, "Agents:Http:MaxRequestBytes must lie between 1 KiB and 1 GiB.");
        if (RateLimitPerSecond < 1) throw new ArgumentOutOfRangeException(nameof(RateLimitPerSecond), RateLimitPerSecond, "Agents:Http:RateLimitPerSecond must be at least 1.");
        if (RateLimitBurst < 1) throw new ArgumentOutOfRangeException(nameof(RateLimitBurst), RateLimitBurst, "Agents:Http:RateLimitBurst must be at least 1.");
        if (MaxWait <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxWait), MaxWait, "Agents:Http:MaxWait must be positive.");
    }
}
