using Agents.Memory.Retrieval;
using Agents.Memory.Model;
using Agents.Memory.Stores;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agents.Memory.Pipelines.Notes;

/// <summary>
/// A-MEM's write path for one batch: create each message's note (under the id fixed at add time),
/// enrich it (keywords, context, tags, embedding), find its nearest notes, and apply the link decision
/// (links from the new note; neighbours' context and tags rewritten, never their content or keywords).
/// Every id in a decision is checked against the neighbours shown before anything is written.
/// Idempotent: a note's stage is kept in its metadata, so a rerun after a crash skips finished work.
/// </summary>
public sealed class NotePipeline(
    IMemoryStore store,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    INoteEnricher enricher,
    ILinkDecider linkDecider,
    MemoryPipelineOptions? options = null,
    ILogger? logger = null)
{
    public const string Actor = "a-mem";
    public const string LinkEdge = "link";
    public const string NextTurnEdge = "next_turn";

    private readonly MemoryPipelineOptions _options = options ?? new MemoryPipelineOptions();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public Task ProcessAsync(IngestBatch batch, CancellationToken cancellationToken) => ProcessAsync(batch, fresh: false, deferLast: false, cancellationToken);

    /// <summary>
    /// Writes the batch's notes in order. With <paramref name="deferLast"/>, the last note's writes are
    /// returned unwritten, for the caller to write in one batch with more (a conflict there means the
    /// note must be decided again: run this again without deferring). With <paramref name="fresh"/>, the
    /// caller knows no note of the batch exists yet (its job's first run), so none is looked up.
    /// </summary>
    public async Task<MemoryWriteBatch?> ProcessAsync(IngestBatch batch, bool fresh, bool deferLast, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var earlier = await EarlierNotesAsync(batch, cancellationToken).ConfigureAwait(false);
        // The turns a client sent along are the better account of what came before; else the store's.
        var preceding = batch.Preceding.Count > 0
            ? batch.Preceding
            : earlier.Select(static n => new ConversationTurn(n.Metadata.GetValueOrDefault(NoteText.SpeakerKey), n.Content)).ToList();
        var participants = batch.Messages.Select(static m => m.Speaker).Concat(preceding.Select(static p => p.Speaker))
            .Where(static s => !string.IsNullOrWhiteSpace(s)).Select(static s => s!).Distinct(StringComparer.Ordinal).ToList();

        // The notes of the turns just before the current one: they evolve when it arrives.
        var recent = earlier.Select(static n => n.Id).ToList();
        var turns = _options.ContextTurns;
        for (var i = 0; i < batch.Messages.Count; i++)
        {
            var message = batch.Messages[i];
            var before = preceding.Concat(batch.Messages.Take(i).Select(static m => new ConversationTurn(m.Speaker, m.Content))).TakeLast(turns).ToList();
            var after = batch.Messages.Skip(i + 1).Take(turns).Select(static m => new ConversationTurn(m.Speaker, m.Content)).ToList();
            var draft = new NoteDraft(message.Content, message.Speaker, batch.ObservedAt, before, after, participants);
            var previous = recent.Count > 0 ? recent[^1] : (Guid?)null;
            var window = recent.TakeLast(turns).ToList();
            if (deferLast && i == batch.Messages.Count - 1)
                return await PlanNoteAsync(batch, i, draft, previous, window, fresh, cancellationToken).ConfigureAwait(false);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var writes = await PlanNoteAsync(batch, i, draft, previous, window, fresh && attempt == 0, cancellationToken).ConfigureAwait(false);
                    await store.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (MemoryConflictException) when (attempt < 2)
                {
                    // A neighbour (or the note) changed while this note was decided: read again, decide again.
                }
            }
            recent.Add(message.NoteId);
        }
        return null;
    }

    /// <summary>
    /// One note: enriched, linked and its neighbours evolved, as one batch of writes with its edges (the
    /// note itself, the edge from the previous turn, its links, the neighbours' rewrites). A note
    /// stored by an earlier, interrupted run continues from its stage. When the link decision fails
    /// (a model's bad answer), the enrichment is written (stage enriched) so a retry does not ask for it again.
    /// </summary>
    private async Task<MemoryWriteBatch> PlanNoteAsync(IngestBatch batch, int index, NoteDraft draft, Guid? previous, IReadOnlyList<Guid> precedingIds, bool fresh, CancellationToken ct)
    {
        var message = batch.Messages[index];
        var existing = fresh ? null : await store.GetAsync(message.NoteId, ct).ConfigureAwait(false);
        var stage = existing?.Metadata.GetValueOrDefault(NoteText.StageKey);
        var writes = new MemoryWriteBatch { Rebuildable = true };
        var edges = new List<WantedEdge>(1 + _options.NeighbourCount);
        if (previous is { } p) edges.Add(new WantedEdge(p, message.NoteId, NextTurnEdge, 1.0));
        if (stage == NoteText.Linked)
        {
            await EnsureEdgesAsync(edges, existing!.Scope, batch, writes, isNew: false, ct).ConfigureAwait(false);
            return writes;
        }
        var note = stage == NoteText.Enriched ? existing! : await EnrichAsync(existing ?? RawNote(batch, message), draft, ct).ConfigureAwait(false);
        LinkDecision decision;
        Dictionary<Guid, MemoryRecord> read;
        IReadOnlyList<NeighbourNote> neighbours;
        try
        {
            (decision, neighbours, read) = await DecideLinksAsync(note, precedingIds, ct).ConfigureAwait(false);
        }
        catch (Exception) when (!ct.IsCancellationRequested && stage is null)
        {
            await store.WriteAsync(existing is null ? writes.Add(note, Actor) : writes.Update(note, Actor, MemoryEvent.Enrich), ct).ConfigureAwait(false);
            throw;
        }

        var similarity = neighbours.ToDictionary(static n => n.Note.Id, static n => n.Similarity);
        foreach (var target in decision.LinkTo) edges.Add(new WantedEdge(note.Id, target, LinkEdge, similarity[target]));
        var tags = decision.NewNoteTags ?? note.Tags;
        // The neighbours that change, and every text to embed again (the note with new tags, each evolved
        // neighbour) in one call: a model embeds a batch for little more than one text.
        var evolved = await EvolvedNeighboursAsync(decision.Rewrites, read, ct).ConfigureAwait(false);
        var texts = evolved.ConvertAll(static e => NoteText.ForEmbedding(e.Current.Content, e.Rewrite.Context, e.Current.Keywords, e.Rewrite.Tags));
        if (decision.NewNoteTags is not null) texts.Add(NoteText.ForEmbedding(note.Content, note.Context, note.Keywords, tags));
        var vectors = await embedder.EmbedAllAsync(texts, ct).ConfigureAwait(false);
        var linked = note with
        {
            Tags = tags,
            Embedding = decision.NewNoteTags is null ? note.Embedding : vectors[^1],
            Metadata = NoteText.With(note.Metadata, NoteText.StageKey, NoteText.Linked),
        };
        // The note first, so the edges can join it.
        if (existing is null) writes.Add(linked, Actor);
        else writes.Update(linked, Actor, MemoryEvent.Evolve);
        await EnsureEdgesAsync(edges, note.Scope, batch, writes, isNew: existing is null, ct).ConfigureAwait(false);
        // Only context and tags change; content and keywords stay as the note was written.
        for (var i = 0; i < evolved.Count; i++)
            writes.Update(evolved[i].Current with { Context = evolved[i].Rewrite.Context, Tags = evolved[i].Rewrite.Tags, Embedding = vectors[i] }, Actor, MemoryEvent.Evolve);
        _logger.LogDebug("Note {NoteId}: {Links} links, {Rewrites} neighbours evolved", note.Id, decision.LinkTo.Count, decision.Rewrites.Count);
        return writes;
    }

    private static MemoryRecord RawNote(IngestBatch batch, IngestMessage message)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["episode"] = batch.EpisodeId.ToString() };
        if (!string.IsNullOrWhiteSpace(message.Speaker)) metadata[NoteText.SpeakerKey] = message.Speaker;
        return new MemoryRecord
        {
            Id = message.NoteId,
            Scope = batch.Scope,
            Kind = MemoryKind.Note,
            Content = message.Content,
            Metadata = metadata,
            Sources = batch.MessageSources(batch.Messages.ToList().IndexOf(message), withNote: false),
            ObservedAt = batch.ObservedAt,
            ValidAt = batch.ObservedAt,
        };
    }

    // The note as enriched (keywords, context, tags, embedding), not written yet.
    private async Task<MemoryRecord> EnrichAsync(MemoryRecord note, NoteDraft draft, CancellationToken ct)
    {
        var enrichment = await enricher.EnrichAsync(draft, ct).ConfigureAwait(false);
        var embedding = await embedder.EmbedAsync(NoteText.ForEmbedding(note.Content, enrichment.Context, enrichment.Keywords, enrichment.Tags), ct).ConfigureAwait(false);
        return note with
        {
            Keywords = enrichment.Keywords,
            Context = enrichment.Context,
            Tags = enrichment.Tags,
            Embedding = embedding,
            Metadata = NoteText.With(note.Metadata, NoteText.StageKey, NoteText.Enriched),
        };
    }

    // The nearest notes and the turns just before the note, and the link decision over them (validated).
    private async Task<(LinkDecision Decision, IReadOnlyList<NeighbourNote> Neighbours, Dictionary<Guid, MemoryRecord> Read)> DecideLinksAsync(
        MemoryRecord note, IReadOnlyList<Guid> precedingIds, CancellationToken ct)
    {
        var filter = new MemoryFilter(note.Scope) { Kinds = [MemoryKind.Note] };
        // The turns just before it are read with the search (asked together: one round trip on a held scope).
        var others = precedingIds.Where(id => id != note.Id).ToList();
        var readingPreceding = others.Count > 0 ? store.GetManyAsync(others, ct) : Task.FromResult<IReadOnlyList<MemoryRecord>>([]);
        IReadOnlyList<ScoredMemory> hits;
        try
        {
            hits = await store.SearchByVectorAsync(note.Embedding!, filter, _options.NeighbourCount + 1, null, ct).ConfigureAwait(false);
        }
        finally
        {
            try { await readingPreceding.ConfigureAwait(false); } catch (Exception) when (readingPreceding.IsFaulted || readingPreceding.IsCanceled) { }
        }
        var preceding = await readingPreceding.ConfigureAwait(false);
        var precedes = precedingIds.ToHashSet();
        var neighbours = hits.Where(h => h.Record.Id != note.Id).Take(_options.NeighbourCount)
            .Select(h => new NeighbourNote(NoteText.Snapshot(h.Record), h.Score, precedes.Contains(h.Record.Id))).ToList();
        // The turns just before it are neighbours too, nearest or not: read fresh, as the previous
        // turn's evolution may have changed them since.
        var shown = neighbours.Select(static n => n.Note.Id).ToHashSet();
        // The records as just read: a rewrite applies to them unless they change meanwhile.
        var read = hits.Select(static h => h.Record).Where(r => shown.Contains(r.Id)).ToDictionary(static r => r.Id);
        foreach (var record in preceding)
        {
            if (shown.Contains(record.Id)) continue;
            neighbours.Add(new NeighbourNote(NoteText.Snapshot(record), VectorSimilarity.Cosine(note.Embedding, record.Embedding), Precedes: true));
            read[record.Id] = record;
        }
        var decision = neighbours.Count == 0 ? LinkDecision.None : await linkDecider.DecideAsync(NoteText.Snapshot(note), neighbours, ct).ConfigureAwait(false);
        Validate(decision, neighbours);
        return (decision, neighbours, read);
    }

    /// <summary>Refuses a decision naming any note that was not among the neighbours shown (whatever produced it).</summary>
    public static void Validate(LinkDecision decision, IReadOnlyList<NeighbourNote> neighbours)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var allowed = neighbours.Select(static n => n.Note.Id).ToHashSet();
        foreach (var id in decision.LinkTo.Concat(decision.Rewrites.Select(static r => r.Id)))
            if (!allowed.Contains(id))
                throw new UnknownMemoryReferenceException(id.ToString(), "evolution", allowed.Select(static a => a.ToString()).ToList());
    }

    // The rewrites that change their neighbour, each with the neighbour's version as read (the batch's write
    // fails with a conflict, and the note is decided again, if it changed since).
    private async Task<List<(MemoryRecord Current, NeighbourRewrite Rewrite)>> EvolvedNeighboursAsync(IReadOnlyList<NeighbourRewrite> rewrites, Dictionary<Guid, MemoryRecord> read, CancellationToken ct)
    {
        var evolved = new List<(MemoryRecord, NeighbourRewrite)>(rewrites.Count);
        foreach (var rewrite in rewrites)
        {
            var current = read.GetValueOrDefault(rewrite.Id) ?? await store.GetAsync(rewrite.Id, ct).ConfigureAwait(false);
            if (current is null) continue; // deleted meanwhile: nothing to evolve
            if (current.Context == rewrite.Context && current.Tags.SequenceEqual(rewrite.Tags)) continue;
            evolved.Add((current, rewrite));
        }
        return evolved;
    }

    private readonly record struct WantedEdge(Guid From, Guid To, string Type, double Weight);

    /// <summary>Adds to <paramref name="writes"/> the edges that do not exist yet (same ends and type). A
    /// new note has none yet (the edges are from it, or to it from the previous turn), so nothing is read.</summary>
    private async Task EnsureEdgesAsync(IReadOnlyList<WantedEdge> wanted, MemoryScope scope, IngestBatch batch, MemoryWriteBatch writes, bool isNew, CancellationToken ct)
    {
        if (wanted.Count == 0) return;
        var existing = new HashSet<(Guid, Guid, string)>();
        if (!isNew)
        {
            var query = new EdgeQuery(scope.Tenant, wanted.Select(static e => e.From).Distinct().ToList())
            {
                Direction = EdgeDirection.Outgoing,
                Types = wanted.Select(static e => e.Type).Distinct().ToList(),
            };
            existing = (await store.GetEdgesAsync(query, ct).ConfigureAwait(false)).Select(static e => (e.FromId, e.ToId, e.Type)).ToHashSet();
        }
        foreach (var e in wanted)
        {
            if (!existing.Add((e.From, e.To, e.Type))) continue;
            writes.AddEdge(new MemoryEdge
            {
                Id = Guid.NewGuid(),
                Scope = scope,
                FromId = e.From,
                ToId = e.To,
                Type = e.Type,
                Weight = e.Weight,
                ValidAt = batch.ObservedAt,
                Sources = [batch.EpisodeId.ToString()],
            });
        }
    }

    // The last notes of the scope observed up to this batch, not counting the batch's own notes.
    private async Task<IReadOnlyList<MemoryRecord>> EarlierNotesAsync(IngestBatch batch, CancellationToken ct)
    {
        if (_options.ContextTurns <= 0) return [];
        // Only notes within the conversation gap: older ones are another conversation, and the bound keeps the scan small in big scopes.
        var filter = new MemoryFilter(batch.Scope) { Kinds = [MemoryKind.Note], ObservedFrom = batch.ObservedAt - _options.ConversationGap, ObservedBefore = batch.ObservedAt.AddMicroseconds(1) }; // stores keep whole microseconds
        var want = _options.ContextTurns + batch.Messages.Count;
        var page = await store.ListLatestAsync(filter, want, ct).ConfigureAwait(false);
        var own = batch.Messages.Select(static m => m.NoteId).ToHashSet();
        return page.Where(n => !own.Contains(n.Id) && NoteScopeEquals(n.Scope, batch.Scope)).TakeLast(_options.ContextTurns).ToList();
    }

    private static bool NoteScopeEquals(MemoryScope a, MemoryScope b) => a == b;
}
