using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace Agents.Inference.Batching;

/// <summary>
/// Groups concurrent requests into batches for a batch-friendly backend (a memory reader scoring many
/// queries in one pass, a GPU kernel, an embedding endpoint taking many inputs): the first request
/// opens a short window, others join until the window closes or the batch is full, then the batch runs
/// as one call. The queue is bounded: past <see cref="BatcherOptions.MaxQueueLength"/> a request is
/// refused at once with <see cref="BatcherOverloadedException"/>. Queue depth and batch sizes are
/// published as metrics (meter <c>Agents.Inference</c>) and by <see cref="Stats"/>.
/// </summary>
public sealed class RequestBatcher<TRequest, TResponse> : IAsyncDisposable
{
    /// <summary>Runs one batch; returns one response per request, in order.</summary>
    public delegate Task<IReadOnlyList<TResponse>> BatchHandler(IReadOnlyList<TRequest> batch, CancellationToken cancellationToken);

    private static readonly Meter Meter = new("Agents.Inference");
    private static readonly Histogram<int> BatchSizes = Meter.CreateHistogram<int>("agents.inference.batch_size", "requests", "Requests per batch");
    private static readonly Counter<long> Rejections = Meter.CreateCounter<long>("agents.inference.rejected", "requests", "Requests refused by back-pressure");
    private static readonly UpDownCounter<int> QueueDepth = Meter.CreateUpDownCounter<int>("agents.inference.queue_depth", "requests", "Requests waiting for a batch");

    private readonly string _name;
    private readonly BatcherOptions _options;
    private readonly BatchHandler _handler;
    private readonly Channel<Pending> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _running;
    private readonly Task _loop;
    private readonly KeyValuePair<string, object?> _tag;
    private int _depth;
    private long _batches, _requests, _rejected;
    private int _maxBatch;

    public RequestBatcher(string name, BatcherOptions options, BatchHandler handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        options.Validate();
        _name = name;
        _options = options;
        _handler = handler;
        _tag = new("batcher", name);
        _running = new SemaphoreSlim(options.MaxConcurrentBatches, options.MaxConcurrentBatches);
        _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
        _loop = Task.Run(LoopAsync);
    }

    public BatcherStats Stats => new(Volatile.Read(ref _depth), Interlocked.Read(ref _batches), Interlocked.Read(ref _requests), Interlocked.Read(ref _rejected), Volatile.Read(ref _maxBatch));

    /// <summary>Queues a request and waits for its batch's answer.</summary>
    /// <exception cref="BatcherOverloadedException">The queue is full; the request was not accepted.</exception>
    public Task<TResponse> EnqueueAsync(TRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        if (Interlocked.Increment(ref _depth) > _options.MaxQueueLength)
        {
            var depth = Interlocked.Decrement(ref _depth);
            Interlocked.Increment(ref _rejected);
            Rejections.Add(1, _tag);
            throw new BatcherOverloadedException(_name, depth);
        }
        QueueDepth.Add(1, _tag);
        var pending = new Pending(request, cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _depth);
            QueueDepth.Add(-1, _tag);
            throw new ObjectDisposedException(nameof(RequestBatcher<TRequest, TResponse>));
        }
        return pending.Completion.Task;
    }

    private async Task LoopAsync()
    {
        var reader = _queue.Reader;
        var stopping = _stopping.Token;
        try
        {
            while (await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                await _running.WaitAsync(stopping).ConfigureAwait(false);
                var batch = new List<Pending>(_options.MaxBatchSize);
                if (!reader.TryRead(out var first)) { _running.Release(); continue; }
                batch.Add(first);
                // The window starts with the batch's first request, so an idle system adds at most one
                // window of latency and a busy one fills batches without waiting.
                using (var window = CancellationTokenSource.CreateLinkedTokenSource(stopping))
                {
                    window.CancelAfter(_options.Window);
                    while (batch.Count < _options.MaxBatchSize)
                    {
                        if (reader.TryRead(out var next)) { batch.Add(next); continue; }
                        try
                        {
                            if (!await reader.WaitToReadAsync(window.Token).ConfigureAwait(false)) break;
                        }
                        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                        {
                            break;
                        }
                    }
                }
                Interlocked.Add(ref _depth, -batch.Count);
                QueueDepth.Add(-batch.Count, _tag);
                _ = RunAsync(batch, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        while (reader.TryRead(out var left))
            left.Completion.TrySetException(new ObjectDisposedException($"inference batcher '{_name}'", "The batcher stopped before the request ran."));
    }

    private async Task RunAsync(List<Pending> batch, CancellationToken stopping)
    {
        try
        {
            // Requests whose callers gave up are answered now and not run.
            var live = batch.Where(p => !p.CancellationToken.IsCancellationRequested || !p.Completion.TrySetCanceled(p.CancellationToken)).ToList();
            if (live.Count == 0) return;
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _requests, live.Count);
            InterlockedMax(ref _maxBatch, live.Count);
            BatchSizes.Record(live.Count, _tag);
            try
            {
                var responses = await _handler(live.Select(p => p.Request).ToArray(), stopping).ConfigureAwait(false);
                if (responses.Count != live.Count)
                    throw new InvalidOperationException($"The '{_name}' batch handler returned {responses.Count} responses for {live.Count} requests.");
                for (var i = 0; i < live.Count; i++) live[i].Completion.TrySetResult(responses[i]);
            }
            catch (Exception e)
            {
                foreach (var p in live) p.Completion.TrySetException(e);
            }
        }
        finally
        {
            _running.Release();
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        // _stopping is not disposed: batches still running hold its token, and a CancellationTokenSource
        // without a timer holds nothing that needs releasing.
    }

    private sealed class Pending(TRequest request, CancellationToken cancellationToken)
    {
        public TRequest Request { get; } = request;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public TaskCompletionSource<TResponse> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
