using Agents.Memory.Model;
using Agents.Memory.Stores;

namespace Agents.Memory.Pipelines.Team;

/// <summary>
/// Reads what <see cref="TeamMemory"/> keeps in a team scope, for people and services: the insights
/// with their scores and supporting runs, and the recorded runs (query nodes) with their condensed
/// trajectories and similar runs. Reads only; every record and edge is checked against the scope.
/// </summary>
public sealed class TeamMemoryReader(IMemoryStore store)
{
    /// <summary>Insights best first (then oldest first); retired ones only when asked.</summary>
    public async Task<IReadOnlyList<TeamInsightReading>> InsightsAsync(MemoryScope scope, bool includeRetired, int limit = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var insights = await store.ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Insight], IncludeExpired = includeRetired }, limit, 0, cancellationToken).ConfigureAwait(false);
        if (insights.Count == 0) return [];
        var support = await store.GetEdgesAsync(new EdgeQuery(scope.Tenant, insights.Select(static i => i.Id).ToList())
            { Direction = EdgeDirection.Outgoing, Types = [TeamMemory.SupportedByEdge], IncludeClosed = true }, cancellationToken).ConfigureAwait(false);
        var byInsight = support.Where(e => scope.Contains(e.Scope)).ToLookup(static e => e.FromId, static e => e.ToId);
        return insights
            .Select(i => new TeamInsightReading(i, TeamMemory.Score(i), i.ExpiredAt is not null, byInsight[i.Id].Distinct().ToList()))
            .OrderByDescending(static i => i.Score).ThenBy(static i => i.Insight.CreatedAt)
            .ToList();
    }

    /// <summary>Recorded runs, newest first.</summary>
    public async Task<IReadOnlyList<TeamRunReading>> RunsAsync(MemoryScope scope, int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var filter = new MemoryFilter(scope) { Kinds = [MemoryKind.Query] };
        var total = await store.CountAsync(filter, cancellationToken).ConfigureAwait(false);
        var end = total - offset;
        if (end <= 0 || limit <= 0) return [];
        var start = Math.Max(0, end - limit);
        var page = await store.ListAsync(filter, (int)(end - start), (int)start, cancellationToken).ConfigureAwait(false);
        var runs = await DescribeAsync(scope, page, cancellationToken).ConfigureAwait(false);
        return runs.Reverse().ToList();
    }

    /// <summary>One recorded run of the scope, or null (none, or not of this scope).</summary>
    public async Task<TeamRunReading?> RunAsync(MemoryScope scope, Guid runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var record = await store.GetAsync(runId, cancellationToken).ConfigureAwait(false);
        if (record is null || record.Kind != MemoryKind.Query || !scope.Contains(record.Scope)) return null;
        return (await DescribeAsync(scope, [record], cancellationToken).ConfigureAwait(false))[0];
    }

    private async Task<IReadOnlyList<TeamRunReading>> DescribeAsync(MemoryScope scope, IReadOnlyList<MemoryRecord> queries, CancellationToken cancellationToken)
    {
        if (queries.Count == 0) return [];
        var edges = (await store.GetEdgesAsync(new EdgeQuery(scope.Tenant, queries.Select(static q => q.Id).ToList())
            { Direction = EdgeDirection.Outgoing, Types = [TeamMemory.TrajectoryEdge, TeamMemory.SimilarTaskEdge] }, cancellationToken).ConfigureAwait(false))
            .Where(e => scope.Contains(e.Scope)).ToList();
        var trajectoryIds = edges.Where(static e => e.Type == TeamMemory.TrajectoryEdge).Select(static e => e.ToId).Distinct().ToList();
        var trajectories = (await store.GetManyAsync(trajectoryIds, cancellationToken).ConfigureAwait(false))
            .Where(t => scope.Contains(t.Scope)).ToDictionary(static t => t.Id);
        return queries.Select(q =>
        {
            var trajectory = edges.Where(e => e.FromId == q.Id && e.Type == TeamMemory.TrajectoryEdge)
                .Select(e => trajectories.GetValueOrDefault(e.ToId)).FirstOrDefault(static t => t is not null);
            var similar = edges.Where(e => e.FromId == q.Id && e.Type == TeamMemory.SimilarTaskEdge).Select(static e => e.ToId).Distinct().ToList();
            // A trajectory's first line is the task, then one key step per line (TeamMemory.RecordTaskAsync).
            var steps = trajectory?.Content.Split('\n').Skip(1).Where(static s => s.Length > 0).ToList() ?? [];
            return new TeamRunReading(q, q.Metadata.GetValueOrDefault(TeamMemory.SucceededKey) == "true", trajectory?.Id, steps,
                trajectory?.Metadata.GetValueOrDefault(TeamMemory.FailureReasonKey), similar);
        }).ToList();
    }
}

/// <summary>An insight with its score, whether it is retired, and the runs that support it.</summary>
public sealed record TeamInsightReading(MemoryRecord Insight, int Score, bool Retired, IReadOnlyList<Guid> SupportedBy);

/// <summary>A recorded run (its query node) with its condensed trajectory and similar runs.</summary>
public sealed record TeamRunReading(MemoryRecord Query, bool Succeeded, Guid? TrajectoryId, IReadOnlyList<string> KeySteps, string? FailureReason, IReadOnlyList<Guid> SimilarRuns);
