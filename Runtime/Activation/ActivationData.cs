using System.Collections.Concurrent;
using Agents.Abstractions;
using Agents.Abstractions.Invocation;
using Agents.Runtime.Directory;
using Agents.Runtime.Storage;
using Agents.Runtime.Timers;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Activation;

/// <summary>
/// One activation of a grain: its instance, its request queue and its single-threaded execution
/// context. Everything that touches the grain or the queue runs inside <see cref="Execute"/>, one
/// work item at a time on the thread pool, so grain code never runs on two threads at once; the
/// activation is also the <see cref="SynchronizationContext"/> its awaits resume on.
/// Turn rules (after Orleans): one request at a time; read-only requests interleave with each other;
/// reentrant grains interleave everything; a request in the call chain of a running request runs at
/// once (A calls B calls A does not deadlock).
/// </summary>
internal sealed partial class ActivationData : SynchronizationContext, IThreadPoolWorkItem
{
    [ThreadStatic] private static ActivationData? _constructing;

    private readonly ConcurrentQueue<WorkItem> _inbox = new();
    private int _scheduled;
    /// <summary>Requests accepted and not yet finished (queued + waiting + running): the overload measure.</summary>
    private int _load;

    // Owned by the executor (touched only inside Execute).
    private readonly Queue<GrainRequest> _waiting = new();
    private readonly List<GrainRequest> _running = [];
    private int _runningWriters;
    private ActivationState _state = ActivationState.Creating;
    private DeactivationReason? _deactivation;
    private readonly List<IPersistentStateLoader> _states = [];
    private readonly List<GrainTimer> _timers = [];
    /// <summary>The turn started while nothing else ran (it runs without an AsyncLocal context).</summary>
    private GrainRequest? _loneTurn;
    private CallContext? _loneTurnContext;

    /// <summary>Call context of the lone turn, for code running on this activation's context.</summary>
    internal CallContext? LoneTurnContext =>
        _loneTurn is { } turn ? _loneTurnContext ??= new CallContext(turn.CallChainId, Id, turn.RequestContext) : null;

    public ActivationData(GrainId id, GrainClassInfo grainClass, SiloRuntime runtime)
    {
        Id = id;
        Class = grainClass;
        Runtime = runtime;
        ActivationId = Guid.NewGuid();
        LastActiveMs = Environment.TickCount64;
    }

    public GrainId Id { get; }
    public Guid ActivationId { get; }
    public GrainClassInfo Class { get; }
    public SiloRuntime Runtime { get; }
    public object? Instance { get; private set; }
    public GrainAddress Address => new(Id, Runtime.SiloAddress, ActivationId);
    public long LastActiveMs { get; private set; }
    public int Load => Volatile.Read(ref _load);
    /// <summary>Set once the activation has finished (deactivated or failed); it takes no more requests.</summary>
    public bool IsInvalid => Volatile.Read(ref _invalid) != 0;
    private int _invalid;

    /// <summary>The activation whose grain is being constructed on this thread (read by <see cref="Grain"/>'s constructor).</summary>
    internal static ActivationData? Constructing => _constructing;

    // ---- entry points (any thread) ----

    /// <summary>Accepts a request unless the queue is full.</summary>
    public bool TryEnqueue(GrainRequest request)
    {
        var limit = Runtime.Options.MaxActivationQueueLength;
        if (Interlocked.Increment(ref _load) > limit && limit > 0)
        {
            Interlocked.Decrement(ref _load);
            return false;
        }
        Post(new WorkItem(WorkKind.Request, request, null));
        return true;
    }

    /// <summary>Starts activation; called once by the catalog right after creating this activation.</summary>
    public void Start() => Post(new WorkItem(WorkKind.Activate, null, null));

    public void RequestDeactivation(DeactivationReason reason) => Post(new WorkItem(WorkKind.Deactivate, reason, null));

    /// <summary>Asks the executor to drop expired queued requests and time out overdue running ones.</summary>
    public void SweepExpired() { if (Load > 0) Post(new WorkItem(WorkKind.Sweep, null, null)); }

    internal void EnqueueTimerTick(GrainTimer timer) => Post(new WorkItem(WorkKind.TimerTick, timer, null));

    public override void Post(SendOrPostCallback d, object? state) => Post(new WorkItem(WorkKind.Continuation, d, state));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronous Send onto a grain activation would deadlock; await instead.");

    public override SynchronizationContext CreateCopy() => this;

    private void Post(in WorkItem item)
    {
        _inbox.Enqueue(item);
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    // ---- the executor ----

    public void Execute()
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            // Bounded batch so one busy activation cannot hog a pool thread.
            for (var i = 0; i < 256 && _inbox.TryDequeue(out var item); i++)
            {
                try
                {
                    Process(item);
                }
                catch (Exception exception)
                {
                    Runtime.Logger.LogError(exception, "Activation {Grain} failed to process a {Kind} work item", Id, item.Kind);
                }
            }
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
        Volatile.Write(ref _scheduled, 0);
        if (!_inbox.IsEmpty && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    private void Process(in WorkItem item)
    {
        switch (item.Kind)
        {
            case WorkKind.Continuation:
                ((SendOrPostCallback)item.A!)(item.B);
                break;
            case WorkKind.Request:
                OnRequest((GrainRequest)item.A!);
                break;
            case WorkKind.Activate:
                _ = ActivateAsync();
                break;
            case WorkKind.Deactivate:
                OnDeactivationRequested((DeactivationReason)item.A!);
                break;
            case WorkKind.Sweep:
                SweepExpiredCore();
                break;
            case WorkKind.TimerTick:
                OnTimerTick((GrainTimer)item.A!);
                break;
        }
    }

    private void OnRequest(GrainRequest request)
    {
        if (_state == ActivationState.Invalid)
        {
            Interlocked.Decrement(ref _load);
            GiveBack(request);
            return;
        }
        if ((request.Flags & RequestFlags.NoKeepAlive) == 0) LastActiveMs = Environment.TickCount64;
        if (_state == ActivationState.Valid && _deactivation is null && IsCallChainReentry(request))
        {
            StartTurn(request);
            return;
        }
        if (_state == ActivationState.Valid && _deactivation is null && _waiting.Count == 0 && MayStart(request))
            StartTurn(request);
        else
            _waiting.Enqueue(request);
    }

    private bool MayStart(GrainRequest request)
    {
        if (_running.Count == 0) return true;
        if (Class.IsReentrant) return true;
        return request.IsReadOnly && _runningWriters == 0;
    }

    private bool IsCallChainReentry(GrainRequest request)
    {
        if (request.CallChainId == 0) return false;
        foreach (var running in _running)
            if (running.CallChainId == request.CallChainId) return true;
        return false;
    }

    private void StartTurn(GrainRequest request)
    {
        if (request.IsExpired(Environment.TickCount64))
        {
            // Dropped, not run: the caller has given up on it.
            Interlocked.Decrement(ref _load);
            request.CompleteWithRuntimeError(RejectionKind.Unrecoverable, Expired(request));
            return;
        }
        var alone = _running.Count == 0 && _loneTurn is null;
        _running.Add(request);
        if (!request.IsReadOnly) _runningWriters++;
        ValueTask turn;
        if (alone)
        {
            // The only running turn: CallContext.Current finds it through this activation.
            _loneTurn = request;
            turn = request.RunAsync(Instance!);
        }
        else
        {
            // Interleaved turns each carry their own context in the async flow.
            var previous = CallContext.Explicit;
            CallContext.Current = new CallContext(request.CallChainId, Id, request.RequestContext);
            try
            {
                turn = request.RunAsync(Instance!);
            }
            finally
            {
                CallContext.Current = previous;
            }
        }
        if (turn.IsCompleted) EndTurn(request);
        else _ = AwaitTurnAsync(turn, request);
    }

    private async Task AwaitTurnAsync(ValueTask turn, GrainRequest request)
    {
        try
        {
            await turn;
        }
        finally
        {
            EndTurn(request);
        }
    }

    private void EndTurn(GrainRequest request)
    {
        if (ReferenceEquals(_loneTurn, request)) { _loneTurn = null; _loneTurnContext = null; }
        _running.Remove(request);
        if (!request.IsReadOnly) _runningWriters--;
        Interlocked.Decrement(ref _load);
        Pump();
    }

    /// <summary>Starts waiting requests for as long as the turn rules allow.</summary>
    private void Pump()
    {
        if (_state != ActivationState.Valid) return;
        if (_deactivation is not null)
        {
            if (_running.Count == 0) _ = DeactivateAsync(_deactivation.Value);
            return;
        }
        while (_waiting.Count > 0 && MayStart(_waiting.Peek()))
            StartTurn(_waiting.Dequeue());
    }

    private RequestTimeoutException Expired(GrainRequest request) =>
        new($"{request.MethodName} on {request.Target} expired before it could run (time-out {Runtime.Options.ResponseTimeout.TotalSeconds:0.###} s); it was dropped.");

    private void SweepExpiredCore()
    {
        var now = Environment.TickCount64;
        if (_waiting.Count > 0)
        {
            var count = _waiting.Count;
            for (var i = 0; i < count; i++)
            {
                var request = _waiting.Dequeue();
                if (request.IsExpired(now))
                {
                    Interlocked.Decrement(ref _load);
                    request.CompleteWithRuntimeError(RejectionKind.Unrecoverable, Expired(request));
                }
                else
                {
                    _waiting.Enqueue(request);
                }
            }
        }
        foreach (var running in _running)
        {
            // The caller stops waiting; the method itself runs on (as in Orleans) and its late result is dropped.
            if (running.IsExpired(now) && !running.IsCompleted)
                running.CompleteWithRuntimeError(RejectionKind.Unrecoverable,
                    new RequestTimeoutException($"{running.MethodName} on {running.Target} did not respond within {Runtime.Options.ResponseTimeout.TotalSeconds:0.###} s."));
        }
    }

    private enum WorkKind : byte { Continuation, Request, Activate, Deactivate, Sweep, TimerTick }

    private readonly record struct WorkItem(WorkKind Kind, object? A, object? B);

    private enum ActivationState : byte { Creating, Activating, Valid, Deactivating, Invalid }
}
