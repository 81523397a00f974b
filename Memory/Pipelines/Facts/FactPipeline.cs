using Agents.Memory.Model;
using Agents.Memory.Pipelines.Text;
using Agents.Memory.Stores;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agents.Memory.Pipelines.Facts;

/// <summary>
/// Mem0's write path for one batch: extract facts (given the observation date), find each fact's
/// nearest facts in the scope, decide ADD / UPDATE / DELETE / NONE, validate the whole decision, then
/// apply it with a history row per change. A DELETE closes the contradicted fact (invalid at the
/// observation time, expired now) instead of erasing it, and stores the new fact.
/// Guards so that no fact is ever lost (mem0 #1674): a fact already present (same normalised text) is
/// never added twice nor used to retire its own twin, and a fact with no decision is added.
/// Re-running a batch after a crash finds its own facts as exact duplicates and changes nothing.
/// </summary>
public sealed class FactPipeline(
    IMemoryStore store,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    IFactExtractor extractor,
    IFactConsolidator consolidator,
    MemoryPipelineOptions? options = null,
    TimeProvider? time = null,
    ILogger? logger = null)
{
    public const string Actor = "mem0";
    public const string SubjectKey = "subject";

    private readonly MemoryPipelineOptions _options = options ?? new MemoryPipelineOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Runs the pipeline and writes its result in one <see cref="IMemoryStore.WriteAsync"/>; returns the decisions as applied (after the guards).</summary>
    public async Task<IReadOnlyList<FactDecision>> ProcessAsync(IngestBatch batch, CancellationToken cancellationToken)
    {
        var (plan, writes) = await PlanAsync(batch, cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
        return plan;
    }

    /// <summary>
    /// Reads what the stage needs and decides everything, writing nothing: the decisions (after the
    /// guards) and their writes, as one <see cref="MemoryWriteBatch"/> for the caller to write (with the
    /// episode's progress mark, so both commit together). An update or retirement applies to the
    /// version of the candidate shown to the consolidator; if it changed meanwhile, the write fails
    /// whole with a conflict and the stage runs again.
    /// </summary>
    public async Task<(IReadOnlyList<FactDecision> Plan, MemoryWriteBatch Writes)> PlanAsync(IngestBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var writes = new MemoryWriteBatch { Rebuildable = true };
        var facts = await extractor.ExtractAsync(new FactExtractionInput(batch.Turns, batch.ObservedAt), cancellationToken).ConfigureAwait(false);
        if (facts.Count == 0) return ([], writes);
        var embeddings = await embedder.EmbedAllAsync(facts.Select(static f => f.Text).ToList(), cancellationToken).ConfigureAwait(false);

        var filter = new MemoryFilter(batch.Scope) { Kinds = [MemoryKind.Fact] };
        var withCandidates = new List<FactWithCandidates>(facts.Count);
        var candidateRecords = new Dictionary<Guid, MemoryRecord>();
        // The facts' searches are independent: asked together (on PostgreSQL they share a round trip).
        var searches = await Task.WhenAll(embeddings.Select(e => store.SearchByVectorAsync(e, filter, _options.FactCandidateCount, null, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < facts.Count; i++)
        {
            var hits = searches[i];
            foreach (var h in hits) candidateRecords.TryAdd(h.Record.Id, h.Record);
            withCandidates.Add(new FactWithCandidates(facts[i], hits.Select(static h => new FactCandidate(h.Record.Id, h.Record.Content, h.Score)).ToList()));
        }

        var decisions = await consolidator.ConsolidateAsync(withCandidates, cancellationToken).ConfigureAwait(false);
        var plan = Plan(facts, decisions, candidateRecords);
        await ApplyAsync(batch, facts, embeddings, plan, candidateRecords, writes, cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("Episode {EpisodeId}: {Facts} facts, {Add} added, {Update} updated, {Delete} contradicted, {None} known",
            batch.EpisodeId, facts.Count, plan.Count(static d => d.Event == FactEvent.Add), plan.Count(static d => d.Event == FactEvent.Update),
            plan.Count(static d => d.Event == FactEvent.Delete), plan.Count(static d => d.Event == FactEvent.None));
        return (plan, writes);
    }

    /// <summary>
    /// Validates a consolidator's answer against the candidates it was shown and applies the guards;
    /// throws before anything is written when an id is unknown or a memory is changed twice.
    /// </summary>
    public static IReadOnlyList<FactDecision> Plan(IReadOnlyList<ExtractedFact> facts, IReadOnlyList<FactDecision> decisions, IReadOnlyDictionary<Guid, MemoryRecord> candidates)
    {
        var byFact = new FactDecision?[facts.Count];
        var changed = new HashSet<Guid>();
        var allowed = candidates.Keys.Select(static k => k.ToString()).ToList();
        foreach (var d in decisions)
        {
            if (d.FactIndex < 0 || d.FactIndex >= facts.Count) throw new InvalidModelDecisionException("consolidation", $"fact number {d.FactIndex} does not exist");
            if (byFact[d.FactIndex] is not null) throw new InvalidModelDecisionException("consolidation", $"fact {d.FactIndex} has two decisions");
            if (d.TargetId is { } t && !candidates.ContainsKey(t)) throw new UnknownMemoryReferenceException(t.ToString(), "consolidation", allowed);
            if (d.Event is FactEvent.Update or FactEvent.Delete)
            {
                if (d.TargetId is not { } target) throw new InvalidModelDecisionException("consolidation", $"fact {d.FactIndex} is {d.Event} without a memory id");
                if (!changed.Add(target)) throw new InvalidModelDecisionException("consolidation", $"memory {target} is changed by two decisions");
            }
            if (string.IsNullOrWhiteSpace(d.Text)) throw new InvalidModelDecisionException("consolidation", $"fact {d.FactIndex} has an empty text");
            byFact[d.FactIndex] = d;
        }

        var known = candidates.Values.Where(static c => c.ExpiredAt is null).Select(static c => TextSimilarity.Normalize(c.Content)).ToHashSet(StringComparer.Ordinal);
        var plan = new List<FactDecision>(facts.Count);
        for (var i = 0; i < facts.Count; i++)
        {
            var d = byFact[i] ?? new FactDecision(i, FactEvent.Add, facts[i].Text, null); // no decision: keep the fact
            var factText = TextSimilarity.Normalize(facts[i].Text);
            switch (d.Event)
            {
                case FactEvent.Add when known.Contains(TextSimilarity.Normalize(d.Text)):
                    d = d with { Event = FactEvent.None, TargetId = FindByText(candidates, d.Text) };
                    break;
                case FactEvent.Delete when TextSimilarity.Normalize(candidates[d.TargetId!.Value].Content) == factText:
                    // "Contradicted" by its own twin: the same memory added again. Keep it (mem0 #1674).
                    d = d with { Event = FactEvent.None };
                    break;
                case FactEvent.Update when TextSimilarity.Normalize(candidates[d.TargetId!.Value].Content) == TextSimilarity.Normalize(d.Text):
                    d = d with { Event = FactEvent.None };
                    break;
            }
            if (d.Event is FactEvent.Add or FactEvent.Delete or FactEvent.Update) known.Add(TextSimilarity.Normalize(d.Text));
            plan.Add(d);
        }
        return plan;
    }

    private async Task ApplyAsync(IngestBatch batch, IReadOnlyList<ExtractedFact> facts, float[][] embeddings, IReadOnlyList<FactDecision> plan,
        Dictionary<Guid, MemoryRecord> candidates, MemoryWriteBatch writes, CancellationToken ct)
    {
        var batchSources = batch.DerivedSources(_options.Notes ? batch.Messages.Select(static m => m.NoteId) : null);
        foreach (var d in plan)
        {
            var fact = facts[d.FactIndex];
            var sources = fact.MessageIndex is int i && i >= 0 && i < batch.Messages.Count ? batch.MessageSources(i, _options.Notes) : batchSources;
            switch (d.Event)
            {
                case FactEvent.Add:
                    await AddFactAsync(batch, fact, d.Text, d.Text == fact.Text ? embeddings[d.FactIndex] : null, sources, writes, ct).ConfigureAwait(false);
                    break;
                case FactEvent.Update:
                    // Candidates are the live facts as just read (searches skip expired ones).
                    var current = candidates[d.TargetId!.Value];
                    writes.Update(current with
                    {
                        Content = d.Text,
                        Embedding = await embedder.EmbedAsync(d.Text, ct).ConfigureAwait(false),
                        Sources = current.Sources.Concat(sources).Distinct(StringComparer.Ordinal).ToList(),
                        ObservedAt = batch.ObservedAt > current.ObservedAt ? batch.ObservedAt : current.ObservedAt,
                    }, Actor, MemoryEvent.Update);
                    break;
                case FactEvent.Delete:
                    var old = candidates[d.TargetId!.Value];
                    if (old.ExpiredAt is null)
                        writes.Update(old with { InvalidAt = batch.ObservedAt, ExpiredAt = _time.GetUtcNow() }, Actor, MemoryEvent.Invalidate);
                    await AddFactAsync(batch, fact, fact.Text, embeddings[d.FactIndex], sources, writes, ct).ConfigureAwait(false);
                    break;
                case FactEvent.None when d.TargetId is { } known && candidates.ContainsKey(known):
                    writes.NoChange(known, Actor);
                    break;
            }
        }
    }

    private async Task AddFactAsync(IngestBatch batch, ExtractedFact fact, string text, float[]? embedding, IReadOnlyList<string> sources, MemoryWriteBatch writes, CancellationToken ct)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["episode"] = batch.EpisodeId.ToString() };
        if (!string.IsNullOrWhiteSpace(fact.Subject)) metadata[SubjectKey] = fact.Subject;
        writes.Add(new MemoryRecord
        {
            Id = Guid.NewGuid(),
            Scope = batch.Scope,
            Kind = MemoryKind.Fact,
            Content = text,
            Embedding = embedding ?? await embedder.EmbedAsync(text, ct).ConfigureAwait(false),
            Keywords = KeywordExtractor.Extract(text, 5).Select(static k => k.Text).ToList(),
            Metadata = metadata,
            Sources = sources,
            ObservedAt = batch.ObservedAt,
            ValidAt = batch.ObservedAt,
        }, Actor);
    }

    private static Guid? FindByText(IReadOnlyDictionary<Guid, MemoryRecord> candidates, string text)
    {
        var normal = TextSimilarity.Normalize(text);
        foreach (var (id, r) in candidates)
            if (r.ExpiredAt is null && TextSimilarity.Normalize(r.Content) == normal) return id;
        return null; // the twin was added earlier in this same batch
    }
}
