using System.Globalization;
using Agents.Abstractions;

namespace Agents.Runtime.Storage;

/// <summary>Grain state ETags are the stored version as a decimal integer; null means "nothing stored".</summary>
internal static class GrainStateETags
{
    public static int? Parse(string? etag)
    {
        if (etag is null)
            return null;
        if (!int.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version <= 0)
            throw new ArgumentException($"'{etag}' is not a grain state ETag (a positive integer read from the store, or null).", nameof(etag));
        return version;
    }

    public static string Format(int version) => version.ToString(CultureInfo.InvariantCulture);

    public static void ValidateKey(string stateName, GrainId grain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateName);
        if (string.IsNullOrEmpty(grain.Type) || string.IsNullOrEmpty(grain.Key))
            throw new ArgumentException($"Grain id '{grain}' needs a type and a key.", nameof(grain));
        // Stored as "type/key": a '/' in the type would make two grains share a row.
        if (grain.Type.Contains('/', StringComparison.Ordinal))
            throw new ArgumentException($"Grain type '{grain.Type}' contains '/', which separates type from key.", nameof(grain));
    }

    public static InconsistentStateException Conflict(string stateName, GrainId grain, string? etag) =>
        new($"State '{stateName}' of grain {grain} changed since it was read (ETag {(etag ?? "none: first write")}); " +
            "another activation wrote it. Deactivate and reload.");
}
