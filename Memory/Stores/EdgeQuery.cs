using Agents.Memory.Model;

namespace Agents.Memory.Stores;

/// <summary>Which side of an edge the given ids sit on.</summary>
public enum EdgeDirection
{
    /// <summary>Edges leaving the ids.</summary>
    Outgoing,
    /// <summary>Edges arriving at the ids.</summary>
    Incoming,
    /// <summary>Both.</summary>
    Both,
}

/// <summary>
/// Neighbourhood query: edges touching <see cref="Ids"/> in <see cref="Direction"/>, optionally of
/// given types or of any type but some. Closed edges (invalid or expired) are skipped unless <see cref="IncludeClosed"/>;
/// with <see cref="AsOf"/>, edges visible at that time are returned instead.
/// </summary>
public sealed record EdgeQuery(string Tenant, IReadOnlyCollection<Guid> Ids)
{
    public EdgeDirection Direction { get; init; } = EdgeDirection.Both;
    public IReadOnlyList<string>? Types { get; init; }
    /// <summary>Edges of these types are left out (e.g. the structural ones, to read only relations).</summary>
    public IReadOnlyList<string>? ExcludeTypes { get; init; }
    public bool IncludeClosed { get; init; }
    public DateTimeOffset? AsOf { get; init; }
    /// <summary>False: the edges come without their fact embeddings (null), for a caller that reads only
    /// their ends and types; on PostgreSQL a relation's embedding is most of its row.</summary>
    public bool WithEmbeddings { get; init; } = true;
    /// <summary>At most this many edges (most recent first).</summary>
    public int Limit { get; init; } = 1000;

    public bool Matches(MemoryEdge edge)
    {
        if (!string.Equals(edge.Scope.Tenant, Tenant, StringComparison.Ordinal)) return false;
        var touches = Direction switch
        {
            EdgeDirection.Outgoing => Ids.Contains(edge.FromId),
            EdgeDirection.Incoming => Ids.Contains(edge.ToId),
            _ => Ids.Contains(edge.FromId) || Ids.Contains(edge.ToId),
        };
        if (!touches) return false;
        if (Types is { Count: > 0 } && !Types.Contains(edge.Type, StringComparer.Ordinal)) return false;
        if (ExcludeTypes is { Count: > 0 } && ExcludeTypes.Contains(edge.Type, StringComparer.Ordinal)) return false;
        if (AsOf is { } asOf) return edge.IsVisibleAsOf(asOf);
        return IncludeClosed || edge.IsOpen;
    }
}
