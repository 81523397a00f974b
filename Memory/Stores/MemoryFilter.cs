using Agents.Memory.Model;

namespace Agents.Memory.Stores;

/// <summary>
/// Which records a list or search considers. <see cref="Scope"/> is required and matches as
/// <see cref="MemoryScope.Contains"/> says. Without <see cref="AsOf"/>, expired records are skipped
/// (unless <see cref="IncludeExpired"/>); with it, only records valid at that time and not yet
/// invalid or expired then are returned (<see cref="MemoryRecord.IsVisibleAsOf"/>).
/// </summary>
public sealed record MemoryFilter(MemoryScope Scope)
{
    /// <summary>Only these kinds (null or empty: every kind).</summary>
    public IReadOnlyList<MemoryKind>? Kinds { get; init; }
    /// <summary>Only records carrying every one of these tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
    /// <summary>Point in time: only facts valid then and not expired then.</summary>
    public DateTimeOffset? AsOf { get; init; }
    /// <summary>Also return expired records (ignored with <see cref="AsOf"/>).</summary>
    public bool IncludeExpired { get; init; }
    /// <summary>Only records observed at or after this time (compared in whole microseconds, as stored: <see cref="MemoryTime"/>).</summary>
    public DateTimeOffset? ObservedFrom { get; init; }
    /// <summary>Only records observed before this time (compared in whole microseconds, as stored: <see cref="MemoryTime"/>).</summary>
    public DateTimeOffset? ObservedBefore { get; init; }

    /// <summary>Only records whose metadata holds <see cref="MetadataMatch.Key"/> with one of
    /// <see cref="MetadataMatch.Values"/> (e.g. the entities of a scope by normalised name).</summary>
    public MetadataMatch? Metadata { get; init; }

    /// <summary>Whether the filter asks nothing of a record of its scope and kinds beyond whether it has expired
    /// (no tags, time bounds, point in time or metadata): then counts kept by kind answer how many pass.</summary>
    internal bool AsksOnlyExpiry => Tags is not { Count: > 0 } && AsOf is null && ObservedFrom is null && ObservedBefore is null && Metadata is null;

    /// <summary>Whether <paramref name="record"/> passes this filter (the embedded store's and the tests' reference).</summary>
    public bool Matches(MemoryRecord record) =>
        Scope.Contains(record.Scope) && (Kinds is not { Count: > 0 } || Kinds.Contains(record.Kind)) && MatchesBeyondScopeAndKinds(record);

    /// <summary>Whether <paramref name="record"/> passes the filter's conditions other than its scope and
    /// kinds: for searches over records known to be of the scope and kinds (an index by kind, a copy of the scope).</summary>
    public bool MatchesBeyondScopeAndKinds(MemoryRecord record)
    {
        if (Tags is { Count: > 0 })
        {
            foreach (var tag in Tags)
                if (!record.Tags.Contains(tag, StringComparer.Ordinal)) return false;
        }
        // Bounds are cut to whole microseconds like stored times, so both stores draw the line at the same
        // place (PostgreSQL cannot hold the ticks below a microsecond).
        if (AsOf is { } asOf) { if (!record.IsVisibleAsOf(MemoryTime.Normalize(asOf))) return false; }
        else if (!IncludeExpired && record.ExpiredAt is not null) return false;
        if (Metadata is { } m && !(record.Metadata.TryGetValue(m.Key, out var value) && m.Values.Contains(value, StringComparer.Ordinal))) return false;
        if (ObservedFrom is { } from && record.ObservedAt < MemoryTime.Normalize(from)) return false;
        if (ObservedBefore is { } before && record.ObservedAt >= MemoryTime.Normalize(before)) return false;
        return true;
    }
}

/// <summary>A metadata condition of a <see cref="MemoryFilter"/>: the value under <paramref name="Key"/> is one of <paramref name="Values"/> (ordinal).</summary>
public sealed record MetadataMatch(string Key, IReadOnlyList<string> Values);
