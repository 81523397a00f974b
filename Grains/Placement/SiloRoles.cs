namespace Agents.Grains.Placement;

/// <summary>Silo roles as they travel in Orleans' silo metadata: one comma-separated entry.</summary>
public static class SiloRoles
{
    /// <summary>The silo metadata key holding a silo's roles.</summary>
    public const string MetadataKey = "agents.roles";

    /// <summary>Silos that host the inference pool (a CUDA device, or any silo told to serve it on the CPU).</summary>
    public const string Gpu = "gpu";

    public static string Format(IEnumerable<string> roles) => string.Join(',', roles.Select(r => r.Trim()).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal));

    public static bool Contains(string? formatted, string role) =>
        formatted is not null && formatted.Split(',', StringSplitOptions.TrimEntries).Contains(role, StringComparer.Ordinal);
}
