using System.Text;
using System.Text.Json;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Notes;
using Agents.Memory.Retrieval;
using Agents.Memory.Stores;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agents.Memory.Engine;

/// <summary>
/// The memory's entry point. <see cref="AddAsync(AddMemoryRequest, CancellationToken)"/> stores the raw
/// input and enqueues its background work in one transaction and returns at once (writes never wait
/// for models); the <see cref="Processor"/> runs A-MEM notes, Mem0 facts and the graph afterwards.
/// Callers that must see the result wait with <see cref="WaitForAsync"/> or <see cref="WaitForIdleAsync"/>.
/// Also the API Mem0 users expect: get, get all, search, update, delete, delete all, history, reset.
/// </summary>
public sealed class MemoryEngine : IAsyncDisposable
{
    public const string UserActor = "user";

    private readonly IMemoryStore _store;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly IMemoryRetriever? _retriever;
    private readonly MemoryEngineOptions _options;

    public MemoryEngine(
        IMemoryStore store,
        IEmbeddingGenerator<string, Embedding<float>> embedder,
        MemoryModels models,
        MemoryEngineOptions? options = null,
        IMemoryRetriever? retriever = null,
        ILoggerFactory? loggers = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(models);
        _store = store;
        _embedder = embedder;
        _retriever = retriever;
        _options = options ?? new MemoryEngineOptions();
        _options.Validate();
        loggers ??= NullLoggerFactory.Instance;
        time ??= TimeProvider.System;
        Models = models;
        var handler = new IngestJobHandler(store, embedder, models, _options.Pipelines, time, loggers);
        Processor = new MemoryJobProcessor(store, handler, _options, time, loggers.CreateLogger<MemoryJobProcessor>());
    }

    public IMemoryStore Store => _store;
    public MemoryModels Models { get; }
    public MemoryJobProcessor Processor { get; }

    /// <summary>
    /// Keeps <paramref name="scope"/> in process while the handle lives, where the store can
    /// (<see cref="IScopeHolder"/>: the PostgreSQL store copies held scopes and answers their reads in
    /// process, after checking they are current). The owner of a scope, its memory grain, holds it while
    /// active. Changes no result.
    /// </summary>
    public IDisposable HoldScope(MemoryScope scope) => Hold(_store, scope);

    /// <summary>Holds <paramref name="scope"/> in <paramref name="store"/> if it can; else a handle that does nothing.</summary>
    public static IDisposable Hold(IMemoryStore store, MemoryScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return store is IScopeHolder holder ? holder.HoldScope(scope) : NoHold.Instance;
    }

    /// <summary>Reads of held scopes share checks in <paramref name="store"/> if it can (<see cref="IScopeHolder.ShareChecks"/>); else a handle that does nothing.</summary>
    public static IDisposable ShareChecks(IMemoryStore store) => store is IScopeHolder holder ? holder.ShareChecks() : NoHold.Instance;

    /// <summary>The check <paramref name="job"/>'s claim made counts for the current stretch in <paramref name="store"/> if it shares checks (<see cref="IScopeHolder.AdoptCheck"/>).</summary>
    public static void AdoptCheck(IMemoryStore store, MemoryJob job)
    {
        if (store is IScopeHolder holder) holder.AdoptCheck(job);
    }

    private sealed class NoHold : IDisposable
    {
        public static readonly NoHold Instance = new();
        public void Dispose() { }
    }

    /// <summary>Starts background processing (and so resumes work left pending by an earlier run).</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => Processor.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => Processor.StopAsync(cancellationToken);

    // ---------------- add ----------------

    /// <summary>Adds one piece of content said by <paramref name="speaker"/> (null: unknown).</summary>
    public Task<AddMemoryResult> AddAsync(MemoryScope scope, string content, DateTimeOffset observedAt, string? speaker = null, IReadOnlyList<string>? sources = null, CancellationToken cancellationToken = default) =>
        AddAsync(new AddMemoryRequest(scope, [new ConversationTurn(speaker, content)], observedAt) { Sources = sources ?? [] }, cancellationToken);

    /// <summary>
    /// Durably stores the messages as one raw input (an episode) with its pending work, in one
    /// transaction, and returns. Bad input (no messages, empty or oversized content, bad scope) is
    /// refused with an <see cref="InvalidMemoryInputException"/> and nothing is stored.
    /// </summary>
    public async Task<AddMemoryResult> AddAsync(AddMemoryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Scope);
        var (episode, job, result) = Prepare(request, null);
        var keyed = request.IdempotencyKey is not null;
        var repeated = false;
        try
        {
            // One transaction, one round trip on PostgreSQL; a repeat is the rare case, told by its conflict.
            await _store.AddAsync(episode, UserActor, [job], cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryConflictException) when (keyed)
        {
            // The same add before, or concurrently: if it stored the episode, this one is its retry.
            if (await _store.GetAsync(episode.Id, cancellationToken).ConfigureAwait(false) is null) throw;
            repeated = true;
        }
        // A new episode's job went in with it, under its id (taking over the key of a deleted episode's
        // job). A repeat reads the stored job's id back; the key exists, so nothing is added.
        if (!repeated)
        {
            Processor.Notify();
            return result with { JobId = job.Id!.Value };
        }
        var stored = await _store.EnqueueAsync([job], cancellationToken).ConfigureAwait(false);
        return result with { JobId = stored[0].Id, Repeated = true };
    }

    /// <summary>
    /// Bulk ingest: many adds stored at once (their raw inputs and pending work in one transaction,
    /// COPY on PostgreSQL), each as <see cref="AddAsync(AddMemoryRequest, CancellationToken)"/> would
    /// store it; the background work then runs as usual, in the order of the requests. All or nothing:
    /// a bad request is refused (naming its position) before anything is stored. An add whose
    /// idempotency key was used before (or earlier in the list) stores nothing and is
    /// <see cref="AddMemoryResult.Repeated"/>. Results are in the order of the requests.
    /// </summary>
    public async Task<IReadOnlyList<AddMemoryResult>> AddManyAsync(IReadOnlyList<AddMemoryRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var prepared = new List<(MemoryRecord Episode, MemoryJobRequest Job, AddMemoryResult Result)>(requests.Count);
        for (var i = 0; i < requests.Count; i++) prepared.Add(Prepare(requests[i], i));
        if (prepared.Count == 0) return [];
        // Keyed adds whose episode exists, or that repeat an earlier one of the list, store nothing.
        var keyedIds = prepared.Where((_, i) => requests[i].IdempotencyKey is not null).Select(static p => p.Episode.Id).ToList();
        var existing = keyedIds.Count == 0 ? [] : (await _store.GetManyAsync(keyedIds, cancellationToken).ConfigureAwait(false)).Select(static r => r.Id).ToHashSet();
        var seen = new HashSet<Guid>();
        var fresh = prepared.Where(p => !existing.Contains(p.Episode.Id) && seen.Add(p.Episode.Id)).ToList();
        if (fresh.Count > 0)
            await _store.AddBatchAsync(fresh.ConvertAll(static p => p.Episode), UserActor, fresh.ConvertAll(static p => p.Job), cancellationToken).ConfigureAwait(false);
        var stored = await _store.EnqueueAsync(prepared.ConvertAll(static p => p.Job), cancellationToken).ConfigureAwait(false);
        var added = fresh.Select(static p => p.Episode.Id).ToHashSet();
        if (added.Count > 0) Processor.Notify();
        return prepared.Select((p, i) => p.Result with { JobId = stored[i].Id, Repeated = !added.Remove(p.Episode.Id) }).ToList();
    }

    // The raw input (an episode) and its pending work for one add; bad input is refused here.
    private static (MemoryRecord Episode, MemoryJobRequest Job, AddMemoryResult Result) Prepare(AddMemoryRequest request, int? index)
    {
        var which = index is { } n ? $"Add {n}: " : "";
        if (request is null) throw new InvalidMemoryContentException($"{which}the add is missing.");
        if (request.Scope is null) throw new InvalidMemoryScopeException($"{which}an add needs a scope.");
        if (request.Messages is null || request.Messages.Count == 0)
            throw new InvalidMemoryContentException($"{which}an add needs at least one message.");
        for (var i = 0; i < request.Messages.Count; i++)
            if (request.Messages[i] is null || string.IsNullOrWhiteSpace(request.Messages[i].Content))
                throw new InvalidMemoryContentException($"{which}message {i} of the add is empty.");
        if (request.IdempotencyKey is { } key && (string.IsNullOrWhiteSpace(key) || key.Length > MaxIdempotencyKeyLength))
            throw new InvalidMemoryContentException($"{which}an idempotency key must be 1 to {MaxIdempotencyKeyLength} non-blank characters.");

        var keyed = request.IdempotencyKey is not null;
        var episodeId = keyed ? AddIdempotency.EpisodeId(request.Scope, request.IdempotencyKey!) : Guid.NewGuid();
        var payload = new IngestJobPayload
        {
            EpisodeId = episodeId,
            ObservedAt = request.ObservedAt,
            Messages = request.Messages.Select((m, i) => new IngestJobMessage
            {
                NoteId = keyed ? AddIdempotency.NoteId(episodeId, i) : Guid.NewGuid(), Speaker = m.Speaker, Content = m.Content, SourceId = m.SourceId,
            }).ToList(),
            Preceding = request.Preceding.Select(static m => new IngestJobMessage { Speaker = m.Speaker, Content = m.Content }).ToList(),
            Sources = request.Sources.ToList(),
        };
        var job = new MemoryJobRequest(IngestJobHandler.JobKind, JsonSerializer.Serialize(payload, EngineJsonContext.Default.IngestJobPayload), $"ingest:{episodeId}", request.Scope)
        {
            Id = Guid.NewGuid(),
        };
        var episode = new MemoryRecord
        {
            Id = episodeId,
            Scope = request.Scope,
            Kind = MemoryKind.Episode,
            Content = Transcript(request.Messages),
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [IngestJobHandler.StateKey] = IngestJobHandler.Pending },
            Sources = request.Sources,
            ObservedAt = request.ObservedAt,
            ValidAt = request.ObservedAt,
        };
        return (episode, job, new AddMemoryResult(episodeId, payload.Messages.ConvertAll(static m => m.NoteId), Guid.Empty));
    }

    /// <summary>Longest idempotency key accepted.</summary>
    public const int MaxIdempotencyKeyLength = 256;

    private static string Transcript(IReadOnlyList<ConversationTurn> messages)
    {
        if (messages.Count == 1) return messages[0].ToString();
        var sb = new StringBuilder();
        foreach (var m in messages) sb.AppendLine(m.ToString());
        return sb.ToString().TrimEnd();
    }

    // ---------------- waiting ----------------

    /// <summary>
    /// Waits until the background work of the add that returned <paramref name="episodeId"/> is done.
    /// Without a running processor, runs pending work itself. Throws
    /// <see cref="MemoryIngestFailedException"/> if the work was given up.
    /// </summary>
    public async Task WaitForAsync(Guid episodeId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var finished = Processor.Finished.WaitAsync();
            var episode = await _store.GetAsync(episodeId, cancellationToken).ConfigureAwait(false)
                ?? throw new MemoryNotFoundException($"No input {episodeId} (never added, or deleted); pass the EpisodeId that AddAsync returned.");
            if (episode.Kind != MemoryKind.Episode)
            {
                // A memory derived from an input (a note, a fact): wait for that input, if it says which.
                if (Guid.TryParse(episode.Metadata.GetValueOrDefault("episode"), out var parent) && parent != episodeId) { episodeId = parent; continue; }
                return;
            }
            switch (episode.Metadata.GetValueOrDefault(IngestJobHandler.StateKey))
            {
                case IngestJobHandler.Done: return;
                case IngestJobHandler.Failed: throw new MemoryIngestFailedException(episodeId, episode.Metadata.GetValueOrDefault(IngestJobHandler.ErrorKey) ?? "unknown error");
            }
            if (!Processor.IsRunning && await Processor.RunPendingAsync(cancellationToken).ConfigureAwait(false) > 0) continue;
            await Task.WhenAny(finished, Task.Delay(_options.PollInterval, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Waits until no work is pending in <paramref name="scope"/> (null: anywhere). Without a running processor, runs it itself.</summary>
    public async Task WaitForIdleAsync(MemoryScope? scope = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var finished = Processor.Finished.WaitAsync();
            if (await _store.CountJobsAsync(scope, MemoryJobStatus.Pending, cancellationToken).ConfigureAwait(false) == 0) return;
            if (!Processor.IsRunning && await Processor.RunPendingAsync(cancellationToken).ConfigureAwait(false) > 0) continue;
            await Task.WhenAny(finished, Task.Delay(_options.PollInterval, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    // ---------------- read ----------------

    public Task<MemoryRecord?> GetAsync(Guid id, CancellationToken cancellationToken = default) => _store.GetAsync(id, cancellationToken);

    /// <summary>Memories of a scope (default: notes, facts and entities; not the raw inputs), oldest first.</summary>
    public Task<IReadOnlyList<MemoryRecord>> GetAllAsync(MemoryScope scope, IReadOnlyList<MemoryKind>? kinds = null, int limit = 100, int offset = 0, CancellationToken cancellationToken = default) =>
        _store.ListAsync(new MemoryFilter(scope) { Kinds = kinds ?? DefaultKinds }, limit, offset, cancellationToken);

    public static IReadOnlyList<MemoryKind> DefaultKinds { get; } = [MemoryKind.Note, MemoryKind.Fact, MemoryKind.Entity];

    /// <summary>
    /// Searches a scope: through the configured <see cref="IMemoryRetriever"/> (hybrid retrieval), or
    /// without one by embedding similarity over notes and facts.
    /// </summary>
    public async Task<IReadOnlyList<ScoredMemory>> SearchAsync(string query, MemoryFilter filter, int topK = 10, double? minScore = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentNullException.ThrowIfNull(filter);
        if (_retriever is not null)
            return await _retriever.SearchAsync(new MemorySearchRequest(query, filter) { TopK = topK, MinScore = minScore }, cancellationToken).ConfigureAwait(false);
        var vector = await _embedder.EmbedAsync(query, cancellationToken).ConfigureAwait(false);
        var f = filter.Kinds is { Count: > 0 } ? filter : filter with { Kinds = [MemoryKind.Note, MemoryKind.Fact] };
        return await _store.SearchByVectorAsync(vector, f, topK, minScore, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<MemoryHistoryEntry>> HistoryAsync(Guid id, CancellationToken cancellationToken = default) => _store.GetHistoryAsync(id, cancellationToken);

    // ---------------- change ----------------

    /// <summary>Replaces a memory's content (Mem0's update): re-embedded, one history row.</summary>
    /// <exception cref="MemoryNotFoundException">No such memory.</exception>
    public async Task<MemoryRecord> UpdateAsync(Guid id, string content, string actor = UserActor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(content)) throw new InvalidMemoryContentException($"The new content of memory {id} is empty.");
        var current = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new MemoryNotFoundException($"No memory {id}.");
        var text = current.Kind == MemoryKind.Note ? NoteText.ForEmbedding(content, current.Context, current.Keywords, current.Tags) : content;
        var embedding = current.Embedding is null && current.Kind == MemoryKind.Episode ? null : await _embedder.EmbedAsync(text, cancellationToken).ConfigureAwait(false);
        return await _store.UpdateAsync(current with { Content = content, Embedding = embedding }, actor, MemoryEvent.Update, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes one memory and its edges (its history row stays until the scope is deleted).</summary>
    public Task<bool> DeleteAsync(Guid id, string actor = UserActor, CancellationToken cancellationToken = default) => _store.DeleteAsync(id, actor, cancellationToken);

    /// <summary>Deletes everything in the scope: records, embeddings, edges, history and pending work.</summary>
    public Task<ScopeDeletion> DeleteAllAsync(MemoryScope scope, CancellationToken cancellationToken = default) => _store.DeleteScopeAsync(scope, cancellationToken);

    /// <summary>
    /// Mem0's reset, bounded to a scope: a scope always names a user, agent, run or team, so a whole
    /// tenant is never wiped by one call. Same as <see cref="DeleteAllAsync"/>.
    /// </summary>
    public Task<ScopeDeletion> ResetAsync(MemoryScope scope, CancellationToken cancellationToken = default) => DeleteAllAsync(scope, cancellationToken);

    public ValueTask DisposeAsync() => Processor.DisposeAsync();
}
