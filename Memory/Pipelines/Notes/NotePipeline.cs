using System.Numerics.Tensors;
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

    public async Task ProcessAsync(IngestBatch batch, CancellationToken cancellationToken)
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
            var note = await EnsureRawNoteAsync(batch, message, cancellationToken).ConfigureAwait(false);
            var stage = note.Metadata.GetValueOrDefault(NoteText.StageKey);
            if (stage is null)
            {
                var before = preceding.Concat(batch.Messages.Take(i).Select(static m => new ConversationTurn(m.Speaker, m.Content))).TakeLast(turns).ToList();
                var after = batch.Messages.Skip(i + 1).Take(turns).Select(static m => new ConversationTurn(m.Speaker, m.Content)).ToList();
                note = await EnrichAsync(note, new NoteDraft(message.Content, message.Speaker, batch.ObservedAt, before, after, participants), cancellationToken).ConfigureAwait(false);
                stage = NoteText.Enriched;
            }
            // The edge from the previous turn goes in with the note's links (one check, one write).
            var edges = new List<WantedEdge>(1 + _options.NeighbourCount);
            if (recent.Count > 0) edges.Add(new WantedEdge(recent[^1], note.Id, NextTurnEdge, 1.0));
            if (stage == NoteText.Enriched) await LinkAsync(note, recent.TakeLast(turns).ToList(), edges, batch, cancellationToken).ConfigureAwait(false);
            else await EnsureEdgesAsync(edges, note.Scope, batch, cancellationToken).ConfigureAwait(false);
            recent.Add(note.Id);
        }
    }

    private async Task<MemoryRecord> EnsureRawNoteAsync(IngestBatch batch, IngestMessage message, CancellationToken ct)
    {
        var existing = await store.GetAsync(message.NoteId, ct).ConfigureAwait(false);
        if (existing is not null) return existing;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["episode"] = batch.EpisodeId.ToString() };
        if (!string.IsNullOrWhiteSpace(message.Speaker)) metadata[NoteText.SpeakerKey] = message.Speaker;
        var raw = new MemoryRecord
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
        try
        {
            return await store.AddAsync(raw, Actor, null, ct).ConfigureAwait(false);
        }
        catch (MemoryConflictException conflict)
        {
            // Another worker created it between our read and our write: use theirs.
            return await store.GetAsync(message.NoteId, ct).ConfigureAwait(false)
                ?? throw new MemoryPipelineException($"Note {message.NoteId} conflicted on add but cannot be read.", conflict);
        }
    }

    private async Task<MemoryRecord> EnrichAsync(MemoryRecord note, NoteDraft draft, CancellationToken ct)
    {
        var enrichment = await enricher.EnrichAsync(draft, ct).ConfigureAwait(false);
        var embedding = await embedder.EmbedAsync(NoteText.ForEmbedding(note.Content, enrichment.Context, enrichment.Keywords, enrichment.Tags), ct).ConfigureAwait(false);
        var enriched = note with
        {
            Keywords = enrichment.Keywords,
            Context = enrichment.Context,
            Tags = enrichment.Tags,
            Embedding = embedding,
            Metadata = NoteText.With(note.Metadata, NoteText.StageKey, NoteText.Enriched),
        };
        return await store.UpdateAsync(enriched, Actor, MemoryEvent.Enrich, ct).ConfigureAwait(false);
    }

    private async Task LinkAsync(MemoryRecord note, IReadOnlyList<Guid> precedingIds, List<WantedEdge> edges, IngestBatch batch, CancellationToken ct)
    {
        var filter = new MemoryFilter(note.Scope) { Kinds = [MemoryKind.Note] };
        var hits = await store.SearchByVectorAsync(note.Embedding!, filter, _options.NeighbourCount + 1, null, ct).ConfigureAwait(false);
        var precedes = precedingIds.ToHashSet();
        var neighbours = hits.Where(h => h.Record.Id != note.Id).Take(_options.NeighbourCount)
            .Select(h => new NeighbourNote(NoteText.Snapshot(h.Record), h.Score, precedes.Contains(h.Record.Id))).ToList();
        // The turns just before it are neighbours too, nearest or not: read fresh, as the previous
        // turn's evolution may have changed them since.
        var shown = neighbours.Select(static n => n.Note.Id).ToHashSet();
        var missing = precedingIds.Where(id => id != note.Id && !shown.Contains(id)).ToList();
        // The records as just read: a rewrite applies to them unless they change meanwhile.
        var read = hits.Select(static h => h.Record).Where(r => shown.Contains(r.Id)).ToDictionary(static r => r.Id);
        if (missing.Count > 0)
        {
            foreach (var record in await store.GetManyAsync(missing, ct).ConfigureAwait(false))
            {
                neighbours.Add(new NeighbourNote(NoteText.Snapshot(record), Cosine(note.Embedding, record.Embedding), Precedes: true));
                read[record.Id] = record;
            }
        }

        var decision = neighbours.Count == 0 ? LinkDecision.None : await linkDecider.DecideAsync(NoteText.Snapshot(note), neighbours, ct).ConfigureAwait(false);
        Validate(decision, neighbours);

        var similarity = neighbours.ToDictionary(static n => n.Note.Id, static n => n.Similarity);
        foreach (var target in decision.LinkTo) edges.Add(new WantedEdge(note.Id, target, LinkEdge, similarity[target]));
        await EnsureEdgesAsync(edges, note.Scope, batch, ct).ConfigureAwait(false);

        foreach (var rewrite in decision.Rewrites)
            await RewriteNeighbourAsync(rewrite, read.GetValueOrDefault(rewrite.Id), ct).ConfigureAwait(false);

        var tags = decision.NewNoteTags ?? note.Tags;
        var linked = note with
        {
            Tags = tags,
            Embedding = decision.NewNoteTags is null ? note.Embedding : await embedder.EmbedAsync(NoteText.ForEmbedding(note.Content, note.Context, note.Keywords, tags), ct).ConfigureAwait(false),
            Metadata = NoteText.With(note.Metadata, NoteText.StageKey, NoteText.Linked),
        };
        await store.UpdateAsync(linked, Actor, MemoryEvent.Evolve, ct).ConfigureAwait(false);
        _logger.LogDebug("Note {NoteId}: {Links} links, {Rewrites} neighbours evolved", note.Id, decision.LinkTo.Count, decision.Rewrites.Count);
    }

    private static double Cosine(float[]? a, float[]? b) =>
        a is null || b is null || a.Length != b.Length ? 0 : TensorPrimitives.CosineSimilarity(a, b) is var c && float.IsFinite(c) ? c : 0;

    /// <summary>Refuses a decision naming any note that was not among the neighbours shown (whatever produced it).</summary>
    public static void Validate(LinkDecision decision, IReadOnlyList<NeighbourNote> neighbours)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var allowed = neighbours.Select(static n => n.Note.Id).ToHashSet();
        foreach (var id in decision.LinkTo.Concat(decision.Rewrites.Select(static r => r.Id)))
            if (!allowed.Contains(id))
                throw new UnknownMemoryReferenceException(id.ToString(), "evolution", allowed.Select(static a => a.ToString()).ToList());
    }

    private async Task RewriteNeighbourAsync(NeighbourRewrite rewrite, MemoryRecord? known, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = known ?? await store.GetAsync(rewrite.Id, ct).ConfigureAwait(false);
            known = null;
            if (current is null) return; // deleted meanwhile: nothing to evolve
            if (current.Context == rewrite.Context && current.Tags.SequenceEqual(rewrite.Tags)) return;
            // Only context and tags change; content and keywords stay as the note was written.
            var evolved = current with
            {
                Context = rewrite.Context,
                Tags = rewrite.Tags,
                Embedding = await embedder.EmbedAsync(NoteText.ForEmbedding(current.Content, rewrite.Context, current.Keywords, rewrite.Tags), ct).ConfigureAwait(false),
            };
            try
            {
                await store.UpdateAsync(evolved, Actor, MemoryEvent.Evolve, ct).ConfigureAwait(false);
                return;
            }
            catch (MemoryConflictException) when (attempt < 2)
            {
                // A concurrent change won; read again and re-apply on the fresh version.
            }
        }
    }

    private readonly record struct WantedEdge(Guid From, Guid To, string Type, double Weight);

    /// <summary>Adds the edges that do not exist yet (same ends and type): one read, one write.</summary>
    private async Task EnsureEdgesAsync(IReadOnlyList<WantedEdge> wanted, MemoryScope scope, IngestBatch batch, CancellationToken ct)
    {
        if (wanted.Count == 0) return;
        var query = new EdgeQuery(scope.Tenant, wanted.Select(static e => e.From).Distinct().ToList())
        {
            Direction = EdgeDirection.Outgoing,
            Types = wanted.Select(static e => e.Type).Distinct().ToList(),
        };
        var existing = (await store.GetEdgesAsync(query, ct).ConfigureAwait(false)).Select(static e => (e.FromId, e.ToId, e.Type)).ToHashSet();
        var missing = wanted.Where(e => existing.Add((e.From, e.To, e.Type))).Select(e => new MemoryEdge
        {
            Id = Guid.NewGuid(),
            Scope = scope,
            FromId = e.From,
            ToId = e.To,
            Type = e.Type,
            Weight = e.Weight,
            ValidAt = batch.ObservedAt,
            Sources = [batch.EpisodeId.ToString()],
        }).ToList();
        if (missing.Count > 0) await store.AddEdgesAsync(missing, ct).ConfigureAwait(false);
    }

    // The last notes of the scope observed up to this batch, not counting the batch's own notes.
    private async Task<IReadOnlyList<MemoryRecord>> EarlierNotesAsync(IngestBatch batch, CancellationToken ct)
    {
        if (_options.ContextTurns <= 0) return [];
        // Only notes within the conversation gap: older ones are another conversation, and the bound keeps the scan small in big scopes.
        var filter = new MemoryFilter(batch.Scope) { Kinds = [MemoryKind.Note], ObservedFrom = batch.ObservedAt - _options.ConversationGap, ObservedBefore = batch.ObservedAt.AddMicroseconds(1) }; // stores keep whole microseconds
        var count = await store.CountAsync(filter, ct).ConfigureAwait(false);
        var want = _options.ContextTurns + batch.Messages.Count;
        var offset = (int)Math.Max(0, count - want);
        var page = await store.ListAsync(filter, want, offset, ct).ConfigureAwait(false);
        var own = batch.Messages.Select(static m => m.NoteId).ToHashSet();
        return page.Where(n => !own.Contains(n.Id) && NoteScopeEquals(n.Scope, batch.Scope)).TakeLast(_options.ContextTurns).ToList();
    }

    private static bool NoteScopeEquals(MemoryScope a, MemoryScope b) => a == b;
}
