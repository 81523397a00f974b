using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Agents.Infra.Migrations;

/// <summary>One versioned schema change: the SQL of <c>infra/migrations/NNNN_name.sql</c>.</summary>
public sealed partial record Migration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the SQL with line endings normalised, so a checkout's line-ending
    /// conversion does not look like an edit while any real edit does.</summary>
    public string Checksum { get; } = ComputeChecksum(Sql);

    /// <summary>Checksums of earlier texts of this migration that were released and may be applied already,
    /// each declared in the SQL by a line <c>-- replaces checksum &lt;sha-256&gt;</c>. A database that applied one
    /// counts as having applied this text; a later migration brings its schema up to date.</summary>
    public IReadOnlySet<string> FormerChecksums { get; } =
        FormerChecksumLine().Matches(Sql).Select(static m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    public static string ComputeChecksum(string sql)
    {
        var normalised = sql.Replace("\r\n", "\n", StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }

    [GeneratedRegex(@"^-- replaces checksum ([0-9a-f]{64})\r?$", RegexOptions.Multiline)]
    private static partial Regex FormerChecksumLine();

    /// <summary>Parses a file name such as <c>0003_memory_records.sql</c>.</summary>
    public static Migration FromFile(string fileName, string sql)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var underscore = stem.IndexOf('_', StringComparison.Ordinal);
        if (underscore <= 0 || !int.TryParse(stem.AsSpan(0, underscore), out var version) || version <= 0)
            throw new MigrationException($"Migration file '{fileName}' must be named NNNN_description.sql with a positive version number.");
        return new Migration(version, stem[(underscore + 1)..], sql);
    }
}
