namespace Agents.Runtime.Membership;

/// <summary>
/// ETags of the membership table are decimal integers: the version row's ETag is the version that was
/// read, a silo row's ETag is that row's own change counter. Both stores share this parsing so a
/// malformed ETag is the same clear error everywhere.
/// </summary>
internal static class MembershipETags
{
    public static int Parse(string? etag, string parameterName)
    {
        if (!int.TryParse(etag, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            throw new ArgumentException($"'{etag}' is not a membership ETag (a non-negative integer read from the table).", parameterName);
        return value;
    }

    public static string Format(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The version the caller read (its ETag) and the version it wants to write.</summary>
    public static (int Expected, int Next) ParseTransition(TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(tableVersion);
        var expected = Parse(tableVersion.ETag, nameof(tableVersion));
        if (tableVersion.Version <= expected)
            throw new ArgumentException(
                $"Table version {tableVersion.Version} does not advance the version read ({expected}); pass the version read from the table with Next().",
                nameof(tableVersion));
        return (expected, tableVersion.Version);
    }

    public static void Validate(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.GatewayPort is < 0 or > 65535)
            throw new ArgumentException($"Gateway port {entry.GatewayPort} of silo {entry.Silo} is outside 0..65535.", nameof(entry));
        if (!Enum.IsDefined(entry.Status) || entry.Status == SiloStatus.None)
            throw new ArgumentException($"Status {(int)entry.Status} of silo {entry.Silo} is not a silo status (1..6).", nameof(entry));
    }
}
