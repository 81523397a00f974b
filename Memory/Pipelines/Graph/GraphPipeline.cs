using System.Numerics.Tensors;
using Agents.Memory.Model;
using Agents.Memory.Pipelines.Facts;
using Agents.Memory.Pipelines.Text;
using Agents.Memory.Stores;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agents.Memory.Pipelines.Graph;

/// <summary>
/// The temporal knowledge graph's write path for one batch. Entities are records (kind entity)
/// de-duplicated in the scope first by exact normalised name, then by embedding (cosine at least
/// <see cref="MemoryPipelineOptions.EntityMergeSimilarity"/>, same type or untyped). Relations are
/// edges with the fact in words and two time axes; one the invalidator finds contradicted is closed
/// (invalid at the observation time, expired now), never deleted. Each entity also gets a
/// "mentioned_in" edge to the notes it came from, so retrieval can expand from entities to turns.
/// </summary>
public sealed class GraphPipeline(
    IMemoryStore store,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    IEntityExtractor extractor,
    IRelationInvalidator invalidator,
    MemoryPipelineOptions? options = null,
    TimeProvider? time = null,
    ILogger? logger = null)
{
    public const string Actor = "graph";
    public const string NameKey = "normalized_name";
    public const string TypeKey = "entity_type";
    public const string MentionedInEdge = "mentioned_in";

    private static readonly string[] StructuralEdges = [MentionedInEdge, Notes.NotePipeline.LinkEdge, Notes.NotePipeline.NextTurnEdge];

    private readonly MemoryPipelineOptions _options = options ?? new MemoryPipelineOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Runs the stage and writes its result in one <see cref="IMemoryStore.WriteAsync"/>.</summary>
    public async Task ProcessAsync(IngestBatch batch, bool notesExist, CancellationToken cancellationToken)
    {
        var writes = await PlanAsync(batch, notesExist, cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads what the stage needs and decides everything, writing nothing: the new entities, the
    /// relations closed and the edges added, as one <see cref="MemoryWriteBatch"/> for the caller to
    /// write (with the episode's progress mark, so both commit together).
    /// </summary>
    public Task<MemoryWriteBatch> PlanAsync(IngestBatch batch, bool notesExist, CancellationToken cancellationToken) =>
        PlanAsync(batch, notesExist, fresh: false, cancellationToken);

    /// <summary>As <see cref="PlanAsync(IngestBatch, bool, CancellationToken)"/>; with <paramref name="fresh"/> the
    /// caller knows this batch's graph stage never ran (its job's first run), so no mention of its notes
    /// exists yet and none is looked up.</summary>
    public async Task<MemoryWriteBatch> PlanAsync(IngestBatch batch, bool notesExist, bool fresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var writes = new MemoryWriteBatch { Rebuildable = true };
        var extraction = await extractor.ExtractAsync(new FactExtractionInput(batch.Turns, batch.ObservedAt), cancellationToken).ConfigureAwait(false);
        if (extraction.Entities.Count == 0) return writes;

        // name (normalised) -> entity record; the entities named are looked up at once by their normalised names.
        var resolved = new Dictionary<string, MemoryRecord>(StringComparer.Ordinal);
        var named = extraction.Entities.Select(e => NameExtractor.Normalize(e.Name)).Where(static k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var known = named.Count == 0 ? [] : await store.ListAsync(new MemoryFilter(batch.Scope)
        {
            Kinds = [MemoryKind.Entity], Metadata = new MetadataMatch(NameKey, named),
        }, limit: 10 * named.Count, cancellationToken: cancellationToken).ConfigureAwait(false);
        var byName = new Dictionary<string, MemoryRecord>(StringComparer.Ordinal);
        foreach (var entity in known) byName.TryAdd(entity.Metadata[NameKey], entity); // the oldest of twins
        var created = new List<MemoryRecord>();
        foreach (var entity in extraction.Entities)
        {
            var key = NameExtractor.Normalize(entity.Name);
            if (key.Length == 0 || resolved.ContainsKey(key)) continue;
            resolved[key] = byName.TryGetValue(key, out var exact) ? exact : await ResolveEntityAsync(batch, entity, key, created, writes, cancellationToken).ConfigureAwait(false);
        }

        var relations = extraction.Relations.Where(r => resolved.ContainsKey(NameExtractor.Normalize(r.Source)) && resolved.ContainsKey(NameExtractor.Normalize(r.Target))).ToList();
        var entityIds = resolved.Values.Where(e => !created.Contains(e)).Select(static e => e.Id).ToList();
        // The entities' relations only: their mentions grow with every turn that names them, and
        // reading those each time made a popular entity's ingest cost grow with the conversation. They
        // serve the batch's relations (contradicted, or already known), so none are read without any.
        var relationEdges = entityIds.Count == 0 || relations.Count == 0 ? [] : await store.GetEdgesAsync(new EdgeQuery(batch.Scope.Tenant, entityIds) { ExcludeTypes = StructuralEdges, WithEmbeddings = false }, cancellationToken).ConfigureAwait(false);

        // Contradictions: decided and validated before anything changes.
        var closing = new List<Guid>();
        if (relations.Count > 0 && relationEdges.Count > 0)
        {
            var names = await NamesAsync(relationEdges, cancellationToken).ConfigureAwait(false);
            var existing = relationEdges.Where(e => names.ContainsKey(e.FromId) && names.ContainsKey(e.ToId))
                .Select(e => new ExistingRelation(e.Id, names[e.FromId], e.Type, names[e.ToId])).ToList();
            var contradicted = await invalidator.FindContradictedAsync(relations, existing, cancellationToken).ConfigureAwait(false);
            var allowed = existing.Select(static e => e.Id).ToHashSet();
            foreach (var id in contradicted)
                if (!allowed.Contains(id)) throw new UnknownMemoryReferenceException(id.ToString(), "relation invalidation", allowed.Select(static a => a.ToString()).ToList());
            // A relation restated in this batch is not contradicted by itself.
            closing.AddRange(contradicted.Distinct().Where(id => !relations.Any(r => Same(relationEdges.First(e => e.Id == id), r, resolved))));
        }

        var now = _time.GetUtcNow();
        foreach (var id in closing) writes.CloseEdge(id, batch.ObservedAt, now);

        var newEdges = writes.Edges;
        var sources = batch.DerivedSources(notesExist ? batch.Messages.Select(static m => m.NoteId) : null);
        foreach (var r in relations)
        {
            var from = resolved[NameExtractor.Normalize(r.Source)];
            var to = resolved[NameExtractor.Normalize(r.Target)];
            if (from.Id == to.Id) continue;
            if (relationEdges.Any(e => e.FromId == from.Id && e.ToId == to.Id && e.Type == r.Relation && !closing.Contains(e.Id))) continue;
            if (newEdges.Any(e => e.FromId == from.Id && e.ToId == to.Id && e.Type == r.Relation)) continue;
            var fact = $"{from.Content} {r.Relation.Replace('_', ' ')} {to.Content}";
            newEdges.Add(new MemoryEdge
            {
                Id = Guid.NewGuid(), Scope = batch.Scope, FromId = from.Id, ToId = to.Id, Type = r.Relation,
                Fact = fact, FactEmbedding = await embedder.EmbedAsync(fact, cancellationToken).ConfigureAwait(false),
                ValidAt = batch.ObservedAt, Sources = sources,
            });
        }
        if (notesExist)
        {
            // Mentions already written for this batch's notes (a rerun after a crash).
            var noteIds = batch.Messages.Select(static m => m.NoteId).ToList();
            var mentions = fresh ? [] : (await store.GetEdgesAsync(new EdgeQuery(batch.Scope.Tenant, noteIds) { Direction = EdgeDirection.Incoming, Types = [MentionedInEdge] }, cancellationToken).ConfigureAwait(false))
                .Select(static e => (e.FromId, e.ToId)).ToHashSet();
            foreach (var message in batch.Messages)
                foreach (var entity in resolved.Values)
                    if (Mentions(message, entity) && !mentions.Contains((entity.Id, message.NoteId)))
                        newEdges.Add(new MemoryEdge
                        {
                            Id = Guid.NewGuid(), Scope = batch.Scope, FromId = entity.Id, ToId = message.NoteId, Type = MentionedInEdge,
                            ValidAt = batch.ObservedAt, Sources = [batch.EpisodeId.ToString()],
                        });
        }
        _logger.LogDebug("Episode {EpisodeId}: {Entities} entities ({New} new), {Relations} new edges, {Closed} relations closed",
            batch.EpisodeId, resolved.Count, created.Count, newEdges.Count, closing.Count);
        return writes;
    }

    // An entity not known by its exact name: the most similar of the scope's entities (and of those this
    // batch creates, which the store does not hold yet) if close enough and of a compatible type, else new.
    private async Task<MemoryRecord> ResolveEntityAsync(IngestBatch batch, ExtractedEntity entity, string key, List<MemoryRecord> created, MemoryWriteBatch writes, CancellationToken ct)
    {
        var filter = new MemoryFilter(batch.Scope) { Kinds = [MemoryKind.Entity] };
        var embedding = await embedder.EmbedAsync(entity.Name, ct).ConfigureAwait(false);
        var similar = (await store.SearchByVectorAsync(embedding, filter, 3, _options.EntityMergeSimilarity, ct).ConfigureAwait(false))
            .Select(static h => (h.Record, h.Score)).ToList();
        foreach (var pending in created)
        {
            var score = TensorPrimitives.CosineSimilarity(embedding, pending.Embedding!);
            if (score >= _options.EntityMergeSimilarity) similar.Add((pending, score));
        }
        var match = similar.OrderByDescending(static h => h.Score).Take(3).Select(static h => h.Record)
            .FirstOrDefault(r => CompatibleTypes(r.Metadata.GetValueOrDefault(TypeKey), entity.Type));
        if (match is not null) return match;
        var record = new MemoryRecord
        {
            Id = Guid.NewGuid(),
            Scope = batch.Scope,
            Kind = MemoryKind.Entity,
            Content = entity.Name,
            Embedding = embedding,
            Category = entity.Type,
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [NameKey] = key, [TypeKey] = entity.Type },
            Sources = batch.DerivedSources(),
            ObservedAt = batch.ObservedAt,
            ValidAt = batch.ObservedAt,
        };
        created.Add(record);
        writes.Add(record, Actor);
        return record;
    }

    private async Task<Dictionary<Guid, string>> NamesAsync(IReadOnlyList<MemoryEdge> edges, CancellationToken ct)
    {
        var ids = edges.SelectMany(static e => new[] { e.FromId, e.ToId }).Distinct().ToList();
        var records = await store.GetManyAsync(ids, ct).ConfigureAwait(false);
        return records.ToDictionary(static r => r.Id, static r => r.Content);
    }

    private static bool Same(MemoryEdge edge, ExtractedRelation r, Dictionary<string, MemoryRecord> resolved) =>
        edge.Type == r.Relation && resolved[NameExtractor.Normalize(r.Source)].Id == edge.FromId && resolved[NameExtractor.Normalize(r.Target)].Id == edge.ToId;

    private static bool CompatibleTypes(string? a, string b) =>
        a is null || a == b || a == "entity" || b == "entity";

    private static bool Mentions(IngestMessage message, MemoryRecord entity)
    {
        if (string.Equals(message.Speaker, entity.Content, StringComparison.OrdinalIgnoreCase)) return true;
        return message.Content.Contains(entity.Content, StringComparison.OrdinalIgnoreCase);
    }
}
