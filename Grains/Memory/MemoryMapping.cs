using Agents.Abstractions.Memory;
using Agents.Memory.Model;
using Agents.Memory.Pipelines.Team;
using Agents.Memory.Stores;

namespace Agents.Grains.Memory;

/// <summary>Converts between the wire contracts (Abstractions) and the memory engine's model.</summary>
public static class MemoryMapping
{
    public static MemoryScope ToScope(this ScopeRef scope) => new(scope.Tenant, scope.UserId, scope.AgentId, scope.RunId, scope.TeamId);

    public static ScopeRef ToScopeRef(this MemoryScope scope) => new(scope.Tenant, scope.UserId, scope.AgentId, scope.RunId, scope.TeamId);

    public static MemoryHit ToHit(this MemoryRecord record, double score) => new(
        record.Id, record.Kind.Value, record.Content, record.Context, record.Keywords, record.Tags,
        record.Sources, score, record.ObservedAt, record.ValidAt, record.InvalidAt);

    public static MemoryDetail ToDetail(this MemoryRecord record, double score) => new(
        record.Id, record.Scope.ToScopeRef(), record.Kind.Value, record.Content, record.Context, record.Keywords, record.Tags,
        record.Sources, record.Metadata, score, record.ObservedAt, record.ValidAt, record.InvalidAt, record.ExpiredAt,
        record.CreatedAt, record.UpdatedAt, record.Version);

    public static TeamInsightDetail ToInsight(this TeamInsightReading insight) => new(
        insight.Insight.Id, insight.Insight.Content, insight.Score, insight.Retired, insight.Insight.CreatedAt, insight.Insight.UpdatedAt, insight.SupportedBy);

    public static TeamRunDetail ToRun(this TeamRunReading run) => new(
        run.Query.Id, run.Query.Content, run.Succeeded, run.Query.ObservedAt, run.TrajectoryId, run.KeySteps, run.FailureReason, run.SimilarRuns);

    public static MemoryChange ToChange(this MemoryHistoryEntry entry) =>
        new(entry.At, entry.Event.ToString(), entry.OldContent, entry.NewContent, entry.Actor);

    public static ScopeErasure ToErasure(this ScopeDeletion deletion) =>
        new(deletion.Records, deletion.Embeddings, deletion.Edges, deletion.History, deletion.Jobs);

    public static MemoryFilter ToFilter(this MemoryQuery query, MemoryScope scope) => new(scope)
    {
        Tags = query.Tags is { Count: > 0 } ? query.Tags : null,
        AsOf = query.AsOf,
        Kinds = query.Kinds is { Count: > 0 } ? query.Kinds.Select(k => new MemoryKind(k)).ToArray() : null,
    };
}
