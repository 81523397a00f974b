using System.Globalization;
using Agents.Memory.Model;
using Agents.Memory.Pipelines.Text;
using Agents.Memory.Stores;
using Microsoft.Extensions.AI;

namespace Agents.Memory.Pipelines.Team;

/// <summary>
/// G-Memory's three tiers for a team, over <see cref="IMemoryStore"/>. Interaction tier: each finished
/// task's condensed trajectory (kind trajectory). Query tier: one node per task (kind query) linked to
/// similar earlier tasks ("similar_task", cosine at least <see cref="TeamMemoryOptions.TaskSimilarity"/>).
/// Insight tier: rules (kind insight) with a score, refined every few tasks by ADD / AGREE / EDIT /
/// REMOVE (ADD 2, AGREE and EDIT +1, REMOVE -1; retired, not deleted, at 0) and linked to the tasks
/// that support them; used insights gain on success and lose on failure.
/// </summary>
public sealed class TeamMemory(
    IMemoryStore store,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    ITaskCondenser condenser,
    IInsightRefiner refiner,
    TeamMemoryOptions? options = null,
    TimeProvider? time = null)
{
    public const string Actor = "g-memory";
    public const string SimilarTaskEdge = "similar_task";
    public const string TrajectoryEdge = "trajectory";
    public const string SupportedByEdge = "supported_by";
    public const string ScoreKey = "score";
    public const string SucceededKey = "succeeded";
    public const string FailureReasonKey = "failure_reason";

    private readonly TeamMemoryOptions _options = options ?? new TeamMemoryOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public static TeamMemory Offline(IMemoryStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, TeamMemoryOptions? options = null) =>
        new(store, embedder, new OfflineTaskCondenser(), new OfflineInsightRefiner(), options);

    /// <summary>Records a finished task (trajectory + query node + similar-task edges); refines insights when due. Returns the query node's id.</summary>
    public Task<Guid> RecordTaskAsync(MemoryScope scope, TeamTask task, DateTimeOffset observedAt, CancellationToken cancellationToken = default) =>
        RecordTaskAsync(scope, task, observedAt, [], null, cancellationToken);

    /// <summary>
    /// Records a finished task as <see cref="RecordTaskAsync(MemoryScope, TeamTask, DateTimeOffset, CancellationToken)"/>
    /// does, and the outcome for the insights it used (<see cref="ReportOutcomeAsync"/>; ones retired or
    /// gone since are left out), all in one write of the store: the reads it needs go at once, and a
    /// record is stored whole or not at all. With a <paramref name="key"/> (the run's id) its records' ids
    /// derive from it, so the same task recorded again (a retry after a crash) stores nothing twice.
    /// </summary>
    public async Task<Guid> RecordTaskAsync(MemoryScope scope, TeamTask task, DateTimeOffset observedAt, IReadOnlyCollection<Guid> usedInsights, string? key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(usedInsights);
        if (string.IsNullOrWhiteSpace(task.Task)) throw new InvalidMemoryContentException("A team task needs its description.");
        var queryId = key is null ? Guid.NewGuid() : KeyedId(scope, key, "query");
        var trajectoryId = key is null ? Guid.NewGuid() : KeyedId(scope, key, "trajectory");
        var condensed = await condenser.CondenseAsync(task, cancellationToken).ConfigureAwait(false);
        var embedding = await embedder.EmbedAsync(task.Task, cancellationToken).ConfigureAwait(false);

        var queries = new MemoryFilter(scope) { Kinds = [MemoryKind.Query] };
        var similarRead = store.SearchByVectorAsync(embedding, queries, 10, _options.TaskSimilarity, cancellationToken);
        var countRead = store.CountAsync(queries, cancellationToken);
        var usedRead = usedInsights.Count == 0 ? Task.FromResult<IReadOnlyList<MemoryRecord>>([]) : store.GetManyAsync(usedInsights, cancellationToken);
        var existing = key is null ? Task.FromResult<MemoryRecord?>(null) : store.GetAsync(queryId, cancellationToken);
        await Task.WhenAll(similarRead, countRead, usedRead, existing).ConfigureAwait(false);
        if (existing.Result is not null) return queryId;   // recorded before: the batch below is all or nothing

        var succeeded = task.Succeeded ? "true" : "false";
        var trajectoryMeta = new Dictionary<string, string>(StringComparer.Ordinal) { [SucceededKey] = succeeded };
        if (condensed.FailureReason is not null) trajectoryMeta[FailureReasonKey] = condensed.FailureReason;
        var trajectory = new MemoryRecord
        {
            Id = trajectoryId, Scope = scope, Kind = MemoryKind.Trajectory,
            // First line: the task (on one line), then one key step per line; read back by ToCondensed.
            Content = $"{task.Task.ReplaceLineEndings(" ")}\n{string.Join("\n", condensed.KeySteps.Select(static k => k.ReplaceLineEndings(" ")))}",
            Embedding = embedding, Metadata = trajectoryMeta, ObservedAt = observedAt, ValidAt = observedAt,
        };
        var query = new MemoryRecord
        {
            Id = queryId, Scope = scope, Kind = MemoryKind.Query, Content = task.Task, Embedding = embedding,
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [SucceededKey] = succeeded },
            ObservedAt = observedAt, ValidAt = observedAt,
        };
        var batch = new MemoryWriteBatch().Add(trajectory, Actor).Add(query, Actor);
        batch.AddEdge(Edge(scope, query.Id, trajectory.Id, TrajectoryEdge, 1, observedAt));
        foreach (var s in similarRead.Result) batch.AddEdge(Edge(scope, query.Id, s.Record.Id, SimilarTaskEdge, s.Score, observedAt));

        // Score changes by insight, in the order the separate calls would make them: refinement, then outcome.
        var changes = new Dictionary<Guid, ScoreChange>();
        var count = countRead.Result + 1;
        if (count >= _options.StartInsightsAfter && count % _options.RefineEvery == 0)
            await PlanRefinementAsync(scope, trajectory, query, batch, changes, cancellationToken).ConfigureAwait(false);
        foreach (var used in usedRead.Result.Where(static r => r.Kind == MemoryKind.Insight && r.ExpiredAt is null))
        {
            var change = changes.TryGetValue(used.Id, out var planned) ? planned : new ScoreChange(used);
            if (Score(change.Insight) + change.Delta <= 0) continue;   // retired by the refinement: takes no outcome
            changes[used.Id] = change with { Delta = change.Delta + (task.Succeeded ? _options.SuccessReward : -_options.FailurePenalty) };
        }
        var now = _time.GetUtcNow();
        foreach (var change in changes.Values)
        {
            var (next, @event) = await ChangedAsync(change, now, cancellationToken).ConfigureAwait(false);
            batch.Update(next, Actor, @event);
        }
        await store.WriteAsync(batch, cancellationToken).ConfigureAwait(false);

        if (count % _options.MergeEvery == 0)
            await MergeInsightsAsync(scope, cancellationToken).ConfigureAwait(false);
        return query.Id;
    }

    /// <summary>A change of an insight's score (and text, for EDIT), planned for one write.</summary>
    private sealed record ScoreChange(MemoryRecord Insight, int Delta = 0, string? NewText = null);

    /// <summary>Refinement over the recent trajectories and <paramref name="trajectory"/> (being written in
    /// <paramref name="batch"/>): new insights and their support into the batch, score changes into <paramref name="changes"/>.</summary>
    private async Task PlanRefinementAsync(MemoryScope scope, MemoryRecord trajectory, MemoryRecord query, MemoryWriteBatch batch, Dictionary<Guid, ScoreChange> changes, CancellationToken cancellationToken)
    {
        var trajectoryFilter = new MemoryFilter(scope) { Kinds = [MemoryKind.Trajectory] };
        var earlier = Math.Max(0, _options.RefineWindow - 1);
        var liveRead = LiveInsightsAsync(scope, cancellationToken);
        var total = await store.CountAsync(trajectoryFilter, cancellationToken).ConfigureAwait(false);
        var recent = earlier == 0 ? [] : await store.ListAsync(trajectoryFilter, earlier, (int)Math.Max(0, total - earlier), cancellationToken).ConfigureAwait(false);
        var tasksRead = TasksOfAsync(recent, cancellationToken);
        var condensed = recent.Append(trajectory).Select(ToCondensed).ToList();
        var insights = await liveRead.ConfigureAwait(false);
        var views = insights.Select(static i => new InsightView(i.Id, i.Content, Score(i))).ToList();

        IReadOnlyList<InsightOperation> ops;
        try
        {
            ops = await refiner.RefineAsync(condensed.Where(static c => c.Succeeded).ToList(), condensed.Where(static c => !c.Succeeded).ToList(), views, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            try { await tasksRead.ConfigureAwait(false); } catch { /* the refiner's failure is the one reported */ }
            throw;
        }
        var byId = insights.ToDictionary(static i => i.Id);
        var touched = new HashSet<Guid>();
        foreach (var op in ops) // validate all before planning any
        {
            if (op.Kind == InsightOperationKind.Add) { if (string.IsNullOrWhiteSpace(op.Text)) throw new InvalidModelDecisionException("insight refinement", "ADD without text"); continue; }
            if (op.TargetId is not { } id || !byId.ContainsKey(id))
                throw new UnknownMemoryReferenceException(op.TargetId?.ToString() ?? "(missing)", "insight refinement", byId.Keys.Select(static k => k.ToString()).ToList());
            if (!touched.Add(id)) throw new InvalidModelDecisionException("insight refinement", $"insight {id} has two operations");
        }

        var now = _time.GetUtcNow();
        var supporting = (await tasksRead.ConfigureAwait(false)).Append(query).Where(static q => q.Metadata.GetValueOrDefault(SucceededKey) == "true").ToList();
        foreach (var op in ops)
        {
            switch (op.Kind)
            {
                case InsightOperationKind.Add:
                    var insight = new MemoryRecord
                    {
                        Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Insight, Content = op.Text!,
                        Embedding = await embedder.EmbedAsync(op.Text!, cancellationToken).ConfigureAwait(false),
                        Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [ScoreKey] = _options.InitialScore.ToString(CultureInfo.InvariantCulture) },
                        ObservedAt = now, ValidAt = now,
                    };
                    batch.Add(insight, Actor);
                    foreach (var q in supporting) batch.AddEdge(Edge(scope, insight.Id, q.Id, SupportedByEdge, 1, now));
                    break;
                case InsightOperationKind.Agree:
                    changes[op.TargetId!.Value] = new ScoreChange(byId[op.TargetId!.Value], +1);
                    break;
                case InsightOperationKind.Edit:
                    changes[op.TargetId!.Value] = new ScoreChange(byId[op.TargetId!.Value], +1, op.Text);
                    break;
                case InsightOperationKind.Remove:
                    changes[op.TargetId!.Value] = new ScoreChange(byId[op.TargetId!.Value], -1);
                    break;
            }
        }
    }

    /// <summary>The insight after <paramref name="change"/>, and the history event for it (as <see cref="ChangeScoreAsync"/>).</summary>
    private async Task<(MemoryRecord Next, MemoryEvent Event)> ChangedAsync(ScoreChange change, DateTimeOffset now, CancellationToken ct)
    {
        var current = change.Insight;
        var score = Score(current) + change.Delta;
        var next = current with { Metadata = new Dictionary<string, string>(current.Metadata, StringComparer.Ordinal) { [ScoreKey] = score.ToString(CultureInfo.InvariantCulture) } };
        var @event = MemoryEvent.Evolve;
        if (change.NewText is { } text && text != current.Content)
        {
            next = next with { Content = text, Embedding = await embedder.EmbedAsync(text, ct).ConfigureAwait(false) };
            @event = MemoryEvent.Update;
        }
        if (score <= 0)
        {
            next = next with { InvalidAt = now, ExpiredAt = now };
            @event = MemoryEvent.Invalidate;
        }
        return (next, @event);
    }

    /// <summary>A name-based id (version 8 layout) of one of a keyed task's records, unique per scope, key and role.</summary>
    private static Guid KeyedId(MemoryScope scope, string key, string role)
    {
        var name = string.Join("\n", new[] { "team-task", scope.Tenant, scope.UserId, scope.AgentId, scope.RunId, scope.TeamId, key, role }.Select(static p => p is null ? "-" : $"{p.Length}:{p}"));
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);   // version 8
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);   // RFC 9562 variant
        return new Guid(hash[..16], bigEndian: true);
    }

    /// <summary>Refines the insights from the recent tasks' trajectories; returns the operations applied.</summary>
    public async Task<IReadOnlyList<InsightOperation>> RefineInsightsAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        var trajectoryFilter = new MemoryFilter(scope) { Kinds = [MemoryKind.Trajectory] };
        var total = await store.CountAsync(trajectoryFilter, cancellationToken).ConfigureAwait(false);
        var recent = await store.ListAsync(trajectoryFilter, _options.RefineWindow, (int)Math.Max(0, total - _options.RefineWindow), cancellationToken).ConfigureAwait(false);
        var condensed = recent.Select(ToCondensed).ToList();
        var insights = await LiveInsightsAsync(scope, cancellationToken).ConfigureAwait(false);
        var views = insights.Select(static i => new InsightView(i.Id, i.Content, Score(i))).ToList();

        var ops = await refiner.RefineAsync(condensed.Where(static c => c.Succeeded).ToList(), condensed.Where(static c => !c.Succeeded).ToList(), views, cancellationToken).ConfigureAwait(false);
        var byId = insights.ToDictionary(static i => i.Id);
        var changed = new HashSet<Guid>();
        foreach (var op in ops) // validate all before writing any
        {
            if (op.Kind == InsightOperationKind.Add) { if (string.IsNullOrWhiteSpace(op.Text)) throw new InvalidModelDecisionException("insight refinement", "ADD without text"); continue; }
            if (op.TargetId is not { } id || !byId.ContainsKey(id))
                throw new UnknownMemoryReferenceException(op.TargetId?.ToString() ?? "(missing)", "insight refinement", byId.Keys.Select(static k => k.ToString()).ToList());
            if (!changed.Add(id)) throw new InvalidModelDecisionException("insight refinement", $"insight {id} has two operations");
        }

        var now = _time.GetUtcNow();
        var supporting = (await TasksOfAsync(recent, cancellationToken).ConfigureAwait(false)).Where(q => q.Metadata.GetValueOrDefault(SucceededKey) == "true").ToList();
        foreach (var op in ops)
        {
            switch (op.Kind)
            {
                case InsightOperationKind.Add:
                    var insight = await store.AddAsync(new MemoryRecord
                    {
                        Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Insight, Content = op.Text!,
                        Embedding = await embedder.EmbedAsync(op.Text!, cancellationToken).ConfigureAwait(false),
                        Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [ScoreKey] = _options.InitialScore.ToString(CultureInfo.InvariantCulture) },
                        ObservedAt = now, ValidAt = now,
                    }, Actor, null, cancellationToken).ConfigureAwait(false);
                    if (supporting.Count > 0)
                        await store.AddEdgesAsync(supporting.Select(q => Edge(scope, insight.Id, q.Id, SupportedByEdge, 1, now)).ToList(), cancellationToken).ConfigureAwait(false);
                    break;
                case InsightOperationKind.Agree:
                    await ChangeScoreAsync(byId[op.TargetId!.Value], +1, null, cancellationToken).ConfigureAwait(false);
                    break;
                case InsightOperationKind.Edit:
                    await ChangeScoreAsync(byId[op.TargetId!.Value], +1, op.Text, cancellationToken).ConfigureAwait(false);
                    break;
                case InsightOperationKind.Remove:
                    await ChangeScoreAsync(byId[op.TargetId!.Value], -1, null, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        return ops;
    }

    /// <summary>
    /// Merges near-duplicate insights (one holds most of the other's words): the higher-scored one
    /// survives with the other's supporting tasks and one more point; the other is retired. Returns how many were retired.
    /// </summary>
    public async Task<int> MergeInsightsAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        var live = (await store.ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Insight] }, 1000, 0, cancellationToken).ConfigureAwait(false))
            .OrderByDescending(static i => Score(i)).ThenBy(static i => i.CreatedAt).ToList();
        var stems = live.ToDictionary(static i => i.Id, static i => TextSimilarity.Stems(i.Content));
        var retired = new HashSet<Guid>();
        var now = _time.GetUtcNow();
        for (var a = 0; a < live.Count; a++)
        {
            if (retired.Contains(live[a].Id)) continue;
            for (var b = a + 1; b < live.Count; b++)
            {
                var (keep, drop) = (live[a], live[b]);
                if (retired.Contains(drop.Id)) continue;
                var overlap = Math.Max(TextSimilarity.Containment(stems[keep.Id], stems[drop.Id]), TextSimilarity.Containment(stems[drop.Id], stems[keep.Id]));
                if (overlap < _options.MergeOverlap) continue;
                var support = await store.GetEdgesAsync(new EdgeQuery(scope.Tenant, [drop.Id]) { Direction = EdgeDirection.Outgoing, Types = [SupportedByEdge] }, cancellationToken).ConfigureAwait(false);
                var existing = (await store.GetEdgesAsync(new EdgeQuery(scope.Tenant, [keep.Id]) { Direction = EdgeDirection.Outgoing, Types = [SupportedByEdge] }, cancellationToken).ConfigureAwait(false)).Select(static e => e.ToId).ToHashSet();
                var moved = support.Where(e => !existing.Contains(e.ToId)).Select(e => Edge(scope, keep.Id, e.ToId, SupportedByEdge, 1, now)).ToList();
                if (moved.Count > 0) await store.AddEdgesAsync(moved, cancellationToken).ConfigureAwait(false);
                await ChangeScoreAsync(keep, +1, null, cancellationToken).ConfigureAwait(false);
                var current = await store.GetAsync(drop.Id, cancellationToken).ConfigureAwait(false);
                if (current is not null)
                    await store.UpdateAsync(current with { InvalidAt = now, ExpiredAt = now }, Actor, MemoryEvent.Invalidate, cancellationToken).ConfigureAwait(false);
                retired.Add(drop.Id);
                live[a] = await store.GetAsync(keep.Id, cancellationToken).ConfigureAwait(false) ?? keep;
            }
        }
        return retired.Count;
    }

    /// <summary>What the team knows for a new task: related tasks (similar plus one hop), their insights by score, and example trajectories.</summary>
    public async Task<TeamRecall> RecallAsync(MemoryScope scope, string task, int tasks = 3, int insights = 5, int successes = 2, int failures = 1, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        var embedding = await embedder.EmbedAsync(task, cancellationToken).ConfigureAwait(false);
        var hits = await store.SearchByVectorAsync(embedding, new MemoryFilter(scope) { Kinds = [MemoryKind.Query] }, tasks, null, cancellationToken).ConfigureAwait(false);
        var related = hits.Select(static h => h.Record).ToList();
        var hop = await store.GetEdgesAsync(new EdgeQuery(scope.Tenant, related.Select(static r => r.Id).ToList()) { Types = [SimilarTaskEdge] }, cancellationToken).ConfigureAwait(false);
        var more = hop.SelectMany(static e => new[] { e.FromId, e.ToId }).Where(id => related.All(r => r.Id != id)).Distinct().ToList();
        related.AddRange((await store.GetManyAsync(more, cancellationToken).ConfigureAwait(false)).Where(r => scope.Contains(r.Scope)));
        var ids = related.Select(static r => r.Id).ToList();

        var traj = await store.GetEdgesAsync(new EdgeQuery(scope.Tenant, ids) { Direction = EdgeDirection.Outgoing, Types = [TrajectoryEdge] }, cancellationToken).ConfigureAwait(false);
        var trajectories = await store.GetManyAsync(traj.Select(static e => e.ToId).Distinct().ToList(), cancellationToken).ConfigureAwait(false);
        var supportedBy = await store.GetEdgesAsync(new EdgeQuery(scope.Tenant, ids) { Direction = EdgeDirection.Incoming, Types = [SupportedByEdge] }, cancellationToken).ConfigureAwait(false);
        var voted = (await store.GetManyAsync(supportedBy.Select(static e => e.FromId).Distinct().ToList(), cancellationToken).ConfigureAwait(false)).Where(static i => i.ExpiredAt is null).ToList();
        var similarInsights = await store.SearchByVectorAsync(embedding, new MemoryFilter(scope) { Kinds = [MemoryKind.Insight] }, insights, null, cancellationToken).ConfigureAwait(false);
        var allInsights = voted.Concat(similarInsights.Select(static h => h.Record)).DistinctBy(static i => i.Id)
            .OrderByDescending(static i => Score(i)).ThenBy(static i => i.CreatedAt).Take(insights).ToList();

        // Examples in the order of the tasks they belong to (most similar first).
        var order = ids.Select((id, i) => (id, i)).ToDictionary(static p => p.id, static p => p.i);
        var rank = traj.GroupBy(static e => e.ToId).ToDictionary(static g => g.Key, g => g.Min(e => order[e.FromId]));
        var ranked = trajectories.OrderBy(t => rank.GetValueOrDefault(t.Id, int.MaxValue)).ToList();
        return new TeamRecall(related, allInsights,
            ranked.Where(static t => t.Metadata.GetValueOrDefault(SucceededKey) == "true").Take(successes).ToList(),
            ranked.Where(static t => t.Metadata.GetValueOrDefault(SucceededKey) == "false").Take(failures).ToList());
    }

    /// <summary>After a task: the insights it used gain (success) or lose (failure); one at zero is retired.</summary>
    public async Task ReportOutcomeAsync(IReadOnlyCollection<Guid> usedInsights, bool succeeded, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(usedInsights);
        var records = await store.GetManyAsync(usedInsights, cancellationToken).ConfigureAwait(false);
        if (records.Count != usedInsights.Distinct().Count() || records.Any(static r => r.Kind != MemoryKind.Insight))
            throw new MemoryNotFoundException($"Some of the insights {string.Join(", ", usedInsights)} do not exist or are not insights.");
        foreach (var r in records.Where(static r => r.ExpiredAt is null))
            await ChangeScoreAsync(r, succeeded ? _options.SuccessReward : -_options.FailurePenalty, null, cancellationToken).ConfigureAwait(false);
    }

    public static int Score(MemoryRecord insight) =>
        int.TryParse(insight.Metadata.GetValueOrDefault(ScoreKey), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0;

    private async Task ChangeScoreAsync(MemoryRecord insight, int delta, string? newText, CancellationToken ct)
    {
        var current = await store.GetAsync(insight.Id, ct).ConfigureAwait(false) ?? insight;
        var score = Score(current) + delta;
        var metadata = new Dictionary<string, string>(current.Metadata, StringComparer.Ordinal) { [ScoreKey] = score.ToString(CultureInfo.InvariantCulture) };
        var next = current with { Metadata = metadata };
        var @event = MemoryEvent.None;
        if (newText is not null && newText != current.Content)
        {
            next = next with { Content = newText, Embedding = await embedder.EmbedAsync(newText, ct).ConfigureAwait(false) };
            @event = MemoryEvent.Update;
        }
        if (score <= 0)
        {
            var now = _time.GetUtcNow();
            next = next with { InvalidAt = now, ExpiredAt = now };
            @event = MemoryEvent.Invalidate;
        }
        await store.UpdateAsync(next, Actor, @event == MemoryEvent.None ? MemoryEvent.Evolve : @event, ct).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<MemoryRecord>> LiveInsightsAsync(MemoryScope scope, CancellationToken ct)
    {
        var list = await store.ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Insight] }, 1000, 0, ct).ConfigureAwait(false);
        return list.OrderByDescending(static i => Score(i)).Take(20).ToList();
    }

    private async Task<IReadOnlyList<MemoryRecord>> TasksOfAsync(IReadOnlyList<MemoryRecord> trajectories, CancellationToken ct)
    {
        if (trajectories.Count == 0) return [];
        var edges = await store.GetEdgesAsync(new EdgeQuery(trajectories[0].Scope.Tenant, trajectories.Select(static t => t.Id).ToList()) { Direction = EdgeDirection.Incoming, Types = [TrajectoryEdge] }, ct).ConfigureAwait(false);
        return await store.GetManyAsync(edges.Select(static e => e.FromId).Distinct().ToList(), ct).ConfigureAwait(false);
    }

    private static CondensedTask ToCondensed(MemoryRecord t)
    {
        var lines = t.Content.Split('\n');
        return new CondensedTask(lines[0], lines.Skip(1).ToList(), t.Metadata.GetValueOrDefault(SucceededKey) == "true", t.Metadata.GetValueOrDefault(FailureReasonKey));
    }

    private static MemoryEdge Edge(MemoryScope scope, Guid from, Guid to, string type, double weight, DateTimeOffset at) =>
        new() { Id = Guid.NewGuid(), Scope = scope, FromId = from, ToId = to, Type = type, Weight = weight, ValidAt = at };
}
