using Agents.Abstractions.Inference;
using Agents.Abstractions.Memory;
using Agents.Grains.Memory;
using Agents.Inference.Attention;
using Agents.Inference.Batching;
using Agents.Memory.Attention;
using Microsoft.Extensions.AI;

namespace Agents.Grains.Inference;

/// <summary>
/// The silo-wide half of the inference pool: its queues and backends. Inference grains are stateless
/// workers, so this object (one per silo) is what batches requests arriving at any of them.
/// </summary>
public sealed class InferencePool : IAsyncDisposable
{
    private readonly MemoryBankRegistry _banks;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly IChatClient? _chat;
    private readonly RequestBatcher<AttentionQuery, ReadOutcome> _reads;
    private readonly RequestBatcher<string, float[]> _embeddings;
    private readonly RequestBatcher<ChatTurnRequest, ChatTurnResponse> _chats;

    public InferencePool(MemoryBankRegistry banks, IEmbeddingGenerator<string, Embedding<float>> embedder, IChatClient? chat, string backend, InferencePoolOptions options)
    {
        _banks = banks;
        _embedder = embedder;
        _chat = chat;
        Backend = backend;
        _reads = new("reads", options.Reads, ReadBatchAsync);
        _embeddings = new("embeddings", options.Embeddings, EmbedBatchAsync);
        _chats = new("chat", options.Chat, ChatBatchAsync);
    }

    /// <summary>Which reader backend serves attention (CUDA or CPU SIMD), as the factory chose it.</summary>
    public string Backend { get; }

    public async Task<AttentionReadout> ReadAsync(AttentionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Text is null == query.Vector is null)
            throw new ArgumentException("An attention query gives either its text or its vector, not both or neither.", nameof(query));
        var outcome = await _reads.EnqueueAsync(query, cancellationToken).ConfigureAwait(false);
        return outcome.Value ?? throw outcome.Error!;
    }

    /// <summary>A read's answer or its own error: one bad query (say, k larger than its bank) must not
    /// fail the other queries of its batch.</summary>
    private sealed record ReadOutcome(AttentionReadout? Value, Exception? Error);

    public async Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return await Task.WhenAll(texts.Select(t => _embeddings.EnqueueAsync(t, cancellationToken))).ConfigureAwait(false);
    }

    public bool HasChat => _chat is not null;

    public async Task<string> ChatAsync(ChatPrompt prompt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var answer = await ChatTurnAsync(new ChatTurnRequest([new("system", prompt.System), new("user", prompt.User)], []), cancellationToken).ConfigureAwait(false);
        return answer.Text ?? "";
    }

    /// <summary>One model turn through the chat queue (the silo's bound on concurrent calls to the endpoint).</summary>
    public Task<ChatTurnResponse> ChatTurnAsync(ChatTurnRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_chat is null) throw new InvalidOperationException("No chat endpoint is configured on this silo (set Agents:Llm:BaseUrl and ChatModel); the pool runs offline models only.");
        if (request.Messages is not { Count: > 0 }) throw new ArgumentException("A chat turn needs at least one message.", nameof(request));
        return _chats.EnqueueAsync(request, cancellationToken);
    }

    public IReadOnlyList<QueueStats> Stats() => [Stats("reads", _reads.Stats), Stats("embeddings", _embeddings.Stats), Stats("chat", _chats.Stats)];

    private static QueueStats Stats(string name, BatcherStats s) => new(name, s.QueueDepth, s.Batches, s.Requests, s.Rejected, s.MaxBatchSeen, s.MeanBatchSize);

    private async Task<IReadOnlyList<ReadOutcome>> ReadBatchAsync(IReadOnlyList<AttentionQuery> batch, CancellationToken cancellationToken)
    {
        var results = new AttentionReadout?[batch.Count];
        var errors = new Exception?[batch.Count];
        // Texts are embedded in one call; then each bank scores all of its queries in one pass.
        var textIndexes = Enumerable.Range(0, batch.Count).Where(i => batch[i].Text is not null).ToArray();
        var vectors = new float[]?[batch.Count];
        for (var i = 0; i < batch.Count; i++) vectors[i] = batch[i].Vector;
        if (textIndexes.Length > 0)
        {
            var embedded = await _embedder.GenerateAsync(textIndexes.Select(i => batch[i].Text!), cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < textIndexes.Length; j++) vectors[textIndexes[j]] = embedded[j].Vector.ToArray();
        }
        foreach (var group in Enumerable.Range(0, batch.Count).GroupBy(i => (batch[i].Scope, batch[i].K, batch[i].Probes, batch[i].Temperature)))
        {
            var members = group.ToArray();
            try
            {
                var bank = await _banks.GetAsync(group.Key.Scope.ToScope(), cancellationToken).ConfigureAwait(false);
                var reader = bank.Reader;
                var d = reader.Dimension;
                var k = group.Key.K;
                var queries = new float[members.Length * d];
                for (var m = 0; m < members.Length; m++)
                {
                    var v = vectors[members[m]]!;
                    if (v.Length != d) throw new DimensionMismatchException("query", d, v.Length);
                    v.CopyTo(queries, m * d);
                }
                var result = new ReadResult(members.Length, k, reader.ValueDimension);
                reader.Read(queries, new ReadOptions(k, group.Key.Probes, group.Key.Temperature), result);
                for (var m = 0; m < members.Length; m++)
                {
                    var ids = result.Ids(m).ToArray().Select(bank.RecordId).ToArray();
                    results[members[m]] = new AttentionReadout(ids, result.Weights(m).ToArray(), result.Scores(m).ToArray(), result.Readout(m).ToArray());
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                foreach (var m in members) errors[m] = e;
            }
        }
        return results.Select((r, i) => new ReadOutcome(r, r is null ? errors[i] : null)).ToArray();
    }

    private async Task<IReadOnlyList<float[]>> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var embeddings = await _embedder.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        return embeddings.Select(e => e.Vector.ToArray()).ToArray();
    }

    private async Task<IReadOnlyList<ChatTurnResponse>> ChatBatchAsync(IReadOnlyList<ChatTurnRequest> requests, CancellationToken cancellationToken)
    {
        var answers = new ChatTurnResponse[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var (messages, options) = ChatTurnMapping.ToChat(requests[i]);
            var response = await _chat!.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            answers[i] = ChatTurnMapping.FromChat(response, requests[i].Model);
        }
        return answers;
    }

    public async ValueTask DisposeAsync()
    {
        await _reads.DisposeAsync().ConfigureAwait(false);
        await _embeddings.DisposeAsync().ConfigureAwait(false);
        await _chats.DisposeAsync().ConfigureAwait(false);
    }
}
