using System.Security.Cryptography;
using System.Text;

namespace Agents.Infra.Migrations;

/// <summary>One versioned schema change: the SQL of <c>infra/migrations/NNNN_name.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the SQL with line endings normalised, so a checkout's line-ending
    /// conversion does not look like an edit while any real edit does.</summary>
    public string Checksum { get; } = ComputeChecksum(Sql);

    public static string ComputeChecksum(string sql)
    {
        var normalised = sql.Replace("\r\n", "\n", StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }

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
