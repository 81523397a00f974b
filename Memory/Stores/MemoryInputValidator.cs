using System.Text.Json;
using Agents.Memory.Model;

namespace Agents.Memory.Stores;

/// <summary>
/// The checks every store runs before it writes anything, so that both stores refuse the same inputs
/// with the same exceptions (and the conformance suite can hold them to it).
/// </summary>
public sealed class MemoryInputValidator(MemoryStoreOptions options)
{
    public const int MaxActorLength = 256;
    public const int MaxJobKindLength = 128;
    public const int MaxIdempotencyKeyLength = 512;

    public MemoryStoreOptions Options { get; } = options;

    public void ValidateRecord(MemoryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Scope is null) throw new InvalidMemoryScopeException($"Record {record.Id} has no scope.");
        if (record.Id == Guid.Empty) throw new InvalidMemoryContentException("A record id must not be the empty GUID.");
        ValidateContent(record.Content, $"Record {record.Id}");
        if (record.Embedding is not null) ValidateEmbedding(record.Embedding, $"The embedding of record {record.Id}");
        ValidateList(record.Keywords, "keywords", record.Id);
        ValidateList(record.Tags, "tags", record.Id);
        ValidateList(record.Sources, "sources", record.Id);
        ValidateField(record.Context, "context", record.Id);
        ValidateField(record.Category, "category", record.Id);
        if (record.Metadata is null) throw new InvalidMemoryContentException($"Record {record.Id} has null metadata; use an empty map.");
        if (record.Metadata.Count > Options.MaxListLength)
            throw new InvalidMemoryContentException($"Record {record.Id} has {record.Metadata.Count} metadata entries; at most {Options.MaxListLength} are allowed.");
        foreach (var (key, value) in record.Metadata)
        {
            if (string.IsNullOrEmpty(key)) throw new InvalidMemoryContentException($"Record {record.Id} has an empty metadata key.");
            ValidateField(key, "metadata key", record.Id);
            if (value is null) throw new InvalidMemoryContentException($"Record {record.Id} has a null value for metadata key '{key}'.");
            ValidateField(value, $"metadata '{key}'", record.Id);
        }
        if (record.ValidAt is { } v && record.InvalidAt is { } i && i < v)
            throw new InvalidMemoryContentException($"Record {record.Id} becomes invalid ({i:O}) before it is valid ({v:O}).");
        CheckNoNul(record.Content, "content", record.Id);
    }

    public void ValidateContent(string? content, string what)
    {
        if (content is null || string.IsNullOrWhiteSpace(content))
            throw new InvalidMemoryContentException($"{what} has empty content; a memory needs text.");
        if (content.Length > Options.MaxContentLength)
            throw new InvalidMemoryContentException($"{what} has {content.Length} characters of content; the limit is {Options.MaxContentLength} (MemoryStoreOptions.MaxContentLength).");
    }

    public void ValidateEmbedding(float[] vector, string what)
    {
        if (vector.Length != Options.Dimension) throw new EmbeddingDimensionException(Options.Dimension, vector.Length, what);
        var anyNonZero = false;
        for (var i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i]))
                throw new InvalidEmbeddingException($"{what} holds a non-finite value ({vector[i]}) at index {i}.");
            anyNonZero |= vector[i] != 0f;
        }
        if (!anyNonZero) throw new InvalidEmbeddingException($"{what} is all zeros; a zero vector has no direction, so cosine similarity is undefined.");
    }

    public void ValidateEdge(MemoryEdge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        if (edge.Scope is null) throw new InvalidMemoryScopeException($"Edge {edge.Id} has no scope.");
        if (edge.Id == Guid.Empty) throw new InvalidMemoryContentException("An edge id must not be the empty GUID.");
        if (string.IsNullOrWhiteSpace(edge.Type) || edge.Type.Length > MemoryEdge.MaxTypeLength)
            throw new InvalidMemoryContentException($"Edge {edge.Id} has type '{edge.Type}'; a type is 1 to {MemoryEdge.MaxTypeLength} non-blank characters.");
        if (edge.Fact is not null) ValidateContent(edge.Fact, $"The fact of edge {edge.Id}");
        if (edge.FactEmbedding is not null) ValidateEmbedding(edge.FactEmbedding, $"The fact embedding of edge {edge.Id}");
        if (!double.IsFinite(edge.Weight)) throw new InvalidMemoryContentException($"Edge {edge.Id} has a non-finite weight.");
        ValidateList(edge.Sources, "sources", edge.Id);
        if (edge.ValidAt is { } v && edge.InvalidAt is { } i && i < v)
            throw new InvalidMemoryContentException($"Edge {edge.Id} becomes invalid ({i:O}) before it is valid ({v:O}).");
    }

    /// <summary>The checks of a write batch that need no stored state: each operation's input, no id twice.</summary>
    public void ValidateBatch(MemoryWriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var ids = new HashSet<Guid>();
        foreach (var add in batch.Adds)
        {
            ValidateRecord(add.Record);
            ValidateActor(add.Actor);
            if (!ids.Add(add.Record.Id)) throw new MemoryConflictException($"The batch adds record id {add.Record.Id} twice.");
        }
        var updatedIds = new HashSet<Guid>();
        foreach (var update in batch.Updates)
        {
            ValidateRecord(update.Record);
            ValidateActor(update.Actor);
            if (update.Event is MemoryEvent.Add or MemoryEvent.Delete)
                throw new ArgumentException($"An update cannot be recorded as '{update.Event}'.", nameof(batch));
            if (!updatedIds.Add(update.Record.Id)) throw new MemoryConflictException($"The batch updates record {update.Record.Id} twice.");
        }
        foreach (var none in batch.NoChanges) ValidateActor(none.Actor);
        var edgeIds = new HashSet<Guid>();
        foreach (var edge in batch.Edges)
        {
            ValidateEdge(edge);
            if (!edgeIds.Add(edge.Id)) throw new MemoryConflictException($"The batch holds edge id {edge.Id} twice.");
        }
        foreach (var completion in batch.JobCompletions) ValidateWorker(completion.Worker);
    }

    public void ValidateJob(MemoryJobRequest job, MemoryScope? fallbackScope)
    {
        ArgumentNullException.ThrowIfNull(job);
        if ((job.Scope ?? fallbackScope) is null) throw new InvalidMemoryScopeException($"Job '{job.IdempotencyKey}' has no scope.");
        if (string.IsNullOrWhiteSpace(job.Kind) || job.Kind.Length > MaxJobKindLength)
            throw new InvalidMemoryContentException($"Job kind '{job.Kind}' must be 1 to {MaxJobKindLength} non-blank characters.");
        if (string.IsNullOrWhiteSpace(job.IdempotencyKey) || job.IdempotencyKey.Length > MaxIdempotencyKeyLength)
            throw new InvalidMemoryContentException($"Job idempotency key must be 1 to {MaxIdempotencyKeyLength} non-blank characters.");
        if (job.PayloadJson is null || job.PayloadJson.Length > Options.MaxPayloadLength)
            throw new InvalidMemoryContentException($"Job '{job.IdempotencyKey}' payload is missing or longer than {Options.MaxPayloadLength} characters.");
        try
        {
            using var _ = JsonDocument.Parse(job.PayloadJson);
        }
        catch (JsonException e)
        {
            throw new InvalidMemoryContentException($"Job '{job.IdempotencyKey}' payload is not valid JSON: {e.Message}");
        }
    }

    public static void ValidateActor(string actor)
    {
        if (string.IsNullOrWhiteSpace(actor) || actor.Length > MaxActorLength)
            throw new InvalidMemoryContentException($"The actor must be 1 to {MaxActorLength} non-blank characters (who made the change).");
    }

    public static void ValidateWorker(string worker)
    {
        if (string.IsNullOrWhiteSpace(worker) || worker.Length > MaxActorLength)
            throw new InvalidMemoryContentException($"The worker name must be 1 to {MaxActorLength} non-blank characters.");
    }

    private void ValidateList(IReadOnlyList<string>? values, string name, Guid id)
    {
        if (values is null) throw new InvalidMemoryContentException($"{id}: {name} is null; use an empty list.");
        if (values.Count > Options.MaxListLength)
            throw new InvalidMemoryContentException($"{id}: {values.Count} {name}; at most {Options.MaxListLength} are allowed.");
        foreach (var value in values)
        {
            if (string.IsNullOrWhiteSpace(value)) throw new InvalidMemoryContentException($"{id}: {name} holds an empty or blank entry.");
            ValidateField(value, name, id);
        }
    }

    private void ValidateField(string? value, string name, Guid id)
    {
        if (value is null) return;
        if (value.Length > Options.MaxFieldLength)
            throw new InvalidMemoryContentException($"{id}: {name} is {value.Length} characters long; the limit is {Options.MaxFieldLength}.");
        CheckNoNul(value, name, id);
    }

    // PostgreSQL text cannot hold U+0000; refuse it in both stores so they accept the same inputs.
    private static void CheckNoNul(string value, string name, Guid id)
    {
        if (value.Contains('\0')) throw new InvalidMemoryContentException($"{id}: {name} contains a NUL character.");
    }
}
