using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Agents.Memory.Diagnostics;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Facts;
using Agents.Memory.Pipelines.Graph;
using Agents.Memory.Pipelines.Notes;
using Agents.Memory.Stores;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Agents.Memory.Engine;

/// <summary>
/// Runs one add's background work: the A-MEM notes, then Mem0 facts, then the graph, then marks the
/// episode done. Each pipeline is idempotent, so a job that is claimed again after a crash finishes
/// what is missing without duplicating what was written.
/// </summary>
public sealed class IngestJobHandler
{
    public const string JobKind = "memory.ingest";
    public const string StateKey = "ingest";
    public const string Pending = "pending";
    public const string Done = "done";
    public const string Failed = "failed";
    public const string ErrorKey = "ingest_error";
    /// <summary>Episode metadata: the stages already applied ("facts", "graph"), so a rerun after a crash
    /// does not ask a model again for work that is written (its answer could differ and duplicate facts).</summary>
    public const string StagesKey = "ingest_stages";

    private readonly IMemoryStore _store;
    private readonly MemoryPipelineOptions _options;
    private readonly NotePipeline _notes;
    private readonly FactPipeline _facts;
    private readonly GraphPipeline _graph;

    public IngestJobHandler(IMemoryStore store, IEmbeddingGenerator<string, Embedding<float>> embedder, MemoryModels models, MemoryPipelineOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _store = store;
        _options = options;
        _notes = new NotePipeline(store, embedder, models.Enricher, models.LinkDecider, options, loggers.CreateLogger<NotePipeline>());
        _facts = new FactPipeline(store, embedder, models.FactExtractor, models.FactConsolidator, options, time, loggers.CreateLogger<FactPipeline>());
        _graph = new GraphPipeline(store, embedder, models.EntityExtractor, models.RelationInvalidator, options, time, loggers.CreateLogger<GraphPipeline>());
    }

    public static IngestJobPayload ReadPayload(MemoryJob job)
    {
        try
        {
            return JsonSerializer.Deserialize(job.PayloadJson, EngineJsonContext.Default.IngestJobPayload)
                ?? throw new MemoryPipelineException($"Job {job.Id} has an empty payload.");
        }
        catch (JsonException e)
        {
            throw new MemoryPipelineException($"Job {job.Id} ({job.Kind}) has a payload that is not an ingest description: {e.Message}", e);
        }
    }

    public Task HandleAsync(MemoryJob job, CancellationToken cancellationToken) => HandleAsync(job, null, cancellationToken);

    /// <summary>
    /// Runs the job. Its writes go in one batch where they can: the last note (with its neighbours'
    /// rewrites and edges), the facts, the graph, the episode's marks and, given the
    /// <paramref name="worker"/> that holds it, the job's completion; true when that completed the job
    /// (the caller then does not). When that batch cannot apply (a record it read changed), the stages
    /// are decided again and written one after another, each with its mark, as before.
    /// </summary>
    public async Task<bool> HandleAsync(MemoryJob job, string? worker, CancellationToken cancellationToken)
    {
        var payload = ReadPayload(job);
        var started = Stopwatch.GetTimestamp();
        // The job's reads of its (held) scope share one check of the scope's epoch: they see it as at the
        // job's first read plus the job's own writes. Its writes check the versions read, and a conflict
        // ends the sharing, so the reads after it are fresh.
        using var shared = MemoryEngine.ShareChecks(_store);
        var batch = new IngestBatch(
            payload.EpisodeId, job.Scope, payload.ObservedAt,
            payload.Messages.ConvertAll(static m => new IngestMessage(m.NoteId, m.Speaker, m.Content, m.SourceId)),
            payload.Preceding.ConvertAll(static m => new ConversationTurn(m.Speaker, m.Content)),
            payload.Sources);
        // The job's first run: nothing of it is written yet (only this job writes its notes, their
        // mentions and its stage marks), so the stages are all pending and nobody looks for what an
        // earlier run left; its stages start with the read of the episode (on PostgreSQL, a held scope's
        // reads that start together share one round trip). A later run reads the episode's marks first.
        var fresh = job.Attempts <= 1;
        Task<MemoryWriteBatch>? factsPlan = null, graphPlan = null;
        var reading = _store.GetAsync(payload.EpisodeId, cancellationToken);
        if (fresh)
        {
            factsPlan = _options.Facts ? PlanFactsAsync(batch, cancellationToken) : null;
            graphPlan = _options.Graph ? _graph.PlanAsync(batch, _options.Notes, fresh: true, cancellationToken) : null;
        }
        MemoryRecord? episode;
        try
        {
            episode = await reading.ConfigureAwait(false);
            MemoryTelemetry.RecordJobStage("read", started);
        }
        catch
        {
            await ObserveAsync(factsPlan, graphPlan).ConfigureAwait(false);
            throw;
        }
        if (episode is null || episode.Metadata.GetValueOrDefault(StateKey) == Done)
        {
            // Deleted before its work ran (nothing to derive from), or done.
            await ObserveAsync(factsPlan, graphPlan).ConfigureAwait(false);
            return false;
        }
        var stages = (episode.Metadata.GetValueOrDefault(StagesKey) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        if (fresh && stages.Count > 0)
        {
            // Marked by another run after all: its plans are dropped, and what it left is looked for.
            await ObserveAsync(factsPlan, graphPlan).ConfigureAwait(false);
            (factsPlan, graphPlan, fresh) = (null, null, false);
        }
        // The stages read disjoint records (notes and their edges; facts; entities, relations and the
        // batch's mentions), so facts and graph are planned while the notes are decided.
        var factsPending = _options.Facts && !stages.Contains("facts");
        var graphPending = _options.Graph && !stages.Contains("graph");
        if (!fresh)
        {
            factsPlan = factsPending ? PlanFactsAsync(batch, cancellationToken) : null;
            graphPlan = graphPending ? _graph.PlanAsync(batch, _options.Notes, fresh: false, cancellationToken) : null;
        }
        try
        {
            // Notes, then facts, then graph: a stage that fails stops the later ones, and what the earlier
            // ones decided is written (with their marks) before the failure is reported, so a retry does
            // not ask a model for it again.
            var deciding = Stopwatch.GetTimestamp();
            var writes = new MemoryWriteBatch { Rebuildable = true };
            var marks = new Dictionary<string, string>(episode.Metadata, StringComparer.Ordinal);
            ExceptionDispatchInfo? failed = null;
            try
            {
                if (_options.Notes && await _notes.ProcessAsync(batch, fresh, deferLast: true, cancellationToken).ConfigureAwait(false) is { } lastNote)
                    writes.Append(lastNote);
                if (factsPlan is not null) { writes.Append(await factsPlan.ConfigureAwait(false)); AddStage(marks, "facts"); }
                if (graphPlan is not null) { writes.Append(await graphPlan.ConfigureAwait(false)); AddStage(marks, "graph"); }
                marks[StateKey] = Done;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                failed = ExceptionDispatchInfo.Capture(e);
            }
            if (marks.Count != episode.Metadata.Count || marks.Any(p => episode.Metadata.GetValueOrDefault(p.Key) != p.Value))
                writes.Update(episode with { Metadata = marks }, "engine", MemoryEvent.Enrich);
            if (failed is not null)
            {
                try
                {
                    if (!writes.IsEmpty) await _store.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is MemoryConflictException or MemoryNotFoundException)
                {
                    // Changed meanwhile: the retry decides it again.
                }
                failed.Throw();
            }
            if (worker is not null) writes.CompleteJob(job.Id, worker);
            var writing = Stopwatch.GetTimestamp();
            MemoryTelemetry.RecordJobStage("decide", deciding);
            try
            {
                var completed = (await _store.WriteAsync(writes, cancellationToken).ConfigureAwait(false)).JobsCompleted > 0;
                MemoryTelemetry.RecordJobStage("write", writing);
                return completed;
            }
            catch (Exception e) when (e is MemoryConflictException or MemoryNotFoundException)
            {
                // Something the plans read changed meanwhile: decide again, stage by stage.
            }

            // Each stage's writes and its mark on the episode commit together, so a stage is either wholly
            // written and marked or not written at all; the last one also marks it done. Notes keep their
            // own progress per note, so they are always re-entered.
            if (_options.Notes) await _notes.ProcessAsync(batch, cancellationToken).ConfigureAwait(false);
            MemoryRecord? known = null;
            if (factsPending)
            {
                known = await WriteStageAsync(null, payload.EpisodeId, ct => PlanFactsAsync(batch, ct),
                    metadata => { AddStage(metadata, "facts"); if (!graphPending) metadata[StateKey] = Done; }, cancellationToken).ConfigureAwait(false);
                if (known is null || !graphPending) return false;
            }
            if (graphPending)
            {
                await WriteStageAsync(known, payload.EpisodeId, ct => _graph.PlanAsync(batch, _options.Notes, ct),
                    metadata => { AddStage(metadata, "graph"); metadata[StateKey] = Done; }, cancellationToken).ConfigureAwait(false);
                return false;
            }
            await UpdateEpisodeAsync(null, payload.EpisodeId, metadata => metadata[StateKey] = Done, cancellationToken).ConfigureAwait(false);
            return false;
        }
        finally
        {
            await ObserveAsync(factsPlan, graphPlan).ConfigureAwait(false);
        }
    }

    // A stage planned for nothing (an earlier stage failed, the episode is gone) still has its outcome observed.
    private static async Task ObserveAsync(params Task<MemoryWriteBatch>?[] plans)
    {
        foreach (var plan in plans)
            if (plan is not null) try { await plan.ConfigureAwait(false); } catch (Exception) when (plan.IsFaulted || plan.IsCanceled) { }
    }

    private async Task<MemoryWriteBatch> PlanFactsAsync(IngestBatch batch, CancellationToken cancellationToken) =>
        (await _facts.PlanAsync(batch, cancellationToken).ConfigureAwait(false)).Writes;

    /// <summary>Plans a stage and writes it with its mark on the episode in one batch. When the episode or a
    /// record the stage read changed meanwhile (a conflict), reads again and plans again; returns the
    /// episode as stored, or null if it was deleted.</summary>
    private async Task<MemoryRecord?> WriteStageAsync(MemoryRecord? known, Guid episodeId, Func<CancellationToken, Task<MemoryWriteBatch>> plan,
        Action<Dictionary<string, string>> mark, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var episode = known ?? await _store.GetAsync(episodeId, cancellationToken).ConfigureAwait(false);
            known = null;
            if (episode is null) return null;
            var writes = await plan(cancellationToken).ConfigureAwait(false);
            var metadata = new Dictionary<string, string>(episode.Metadata, StringComparer.Ordinal);
            mark(metadata);
            writes.Update(episode with { Metadata = metadata }, "engine", MemoryEvent.Enrich);
            try
            {
                var result = await _store.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
                return result.Updated[^1];
            }
            catch (Exception e) when (e is MemoryConflictException or MemoryNotFoundException && attempt < 3)
            {
            }
        }
    }

    /// <summary>Sets the episode's processing state (done, or failed with the error) in its metadata.</summary>
    public Task MarkAsync(Guid episodeId, string state, string? error, CancellationToken cancellationToken) =>
        UpdateEpisodeAsync(null, episodeId, metadata =>
        {
            metadata[StateKey] = state;
            if (error is not null) metadata[ErrorKey] = error.Length > 1000 ? error[..1000] : error;
        }, cancellationToken);

    private static void AddStage(Dictionary<string, string> metadata, string stage) =>
        metadata[StagesKey] = string.Join(',', (metadata.GetValueOrDefault(StagesKey) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Append(stage).Distinct());

    /// <summary>Applies <paramref name="change"/> to the episode's metadata: on <paramref name="known"/>
    /// (the version last read or written) if given, reading it again only when it turns out stale.
    /// Returns the episode as stored, or null if it was deleted.</summary>
    private async Task<MemoryRecord?> UpdateEpisodeAsync(MemoryRecord? known, Guid episodeId, Action<Dictionary<string, string>> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var episode = known ?? await _store.GetAsync(episodeId, cancellationToken).ConfigureAwait(false);
            known = null;
            if (episode is null) return null;
            var metadata = new Dictionary<string, string>(episode.Metadata, StringComparer.Ordinal);
            change(metadata);
            try
            {
                return await _store.UpdateAsync(episode with { Metadata = metadata }, "engine", MemoryEvent.Enrich, cancellationToken).ConfigureAwait(false);
            }
            catch (MemoryConflictException) when (attempt < 3)
            {
            }
        }
    }
}
