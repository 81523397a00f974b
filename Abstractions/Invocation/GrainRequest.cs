using Agents.Abstractions.Serialization;

namespace Agents.Abstractions.Invocation;

/// <summary>
/// One call to one grain method: generated subclasses (one per interface method) hold the arguments
/// and know how to invoke the method and (de)serialize arguments and result. The same object travels
/// the caller's silo (routing, retries) and the target activation's queue; the runtime fills in the
/// header facts.
/// </summary>
public abstract class GrainRequest
{
    /// <summary>Target grain.</summary>
    public GrainId Target { get; internal set; }
    internal long CorrelationId;
    /// <summary>Deadline in <see cref="Environment.TickCount64"/> milliseconds; 0 = none.</summary>
    internal long DeadlineMs;
    internal long CallChainId;
    internal GrainId? SendingGrain;
    internal Dictionary<string, string>? RequestContext;
    internal int ForwardCount;
    internal RequestFlags Flags;
    internal RequestOrigin Origin;
    /// <summary>The remote caller's correlation id, echoed in the response (the request may get a new
    /// <see cref="CorrelationId"/> when this silo forwards it).</summary>
    internal long ReplyCorrelationId;
    /// <summary>Where the completed request's outcome goes when the caller is remote; null for local callers.</summary>
    internal IResponseSink? Sink;
    /// <summary>The silo this request was sent to (caller side), for failing it when that silo dies.</summary>
    internal object? SentTo;
    private int _completed;

    /// <summary>Index of the method in its interface (stable for one build of the interface).</summary>
    public abstract int MethodId { get; }
    public abstract string MethodName { get; }
    /// <summary>Marked <see cref="ReadOnlyAttribute"/>: may interleave with other read-only requests.</summary>
    public abstract bool IsReadOnly { get; }

    public abstract void WriteArguments(WireWriter writer);
    public abstract void ReadArguments(ref WireReader reader);

    internal bool IsCompleted => Volatile.Read(ref _completed) != 0;
    internal bool IsExpired(long nowMs) => DeadlineMs != 0 && nowMs > DeadlineMs;

    /// <summary>Claims the right to complete this request; false if it already completed (e.g. timed out).</summary>
    protected bool TryClaimCompletion() => Interlocked.Exchange(ref _completed, 1) == 0;

    /// <summary>Runs the method on <paramref name="grain"/> and completes the request with its outcome.
    /// The returned task ends when the method's turn ends.</summary>
    internal abstract ValueTask RunAsync(object grain);
    /// <summary>Writes the success result (after <see cref="RunAsync"/> completed successfully).</summary>
    internal abstract void WriteResult(WireWriter writer);
    /// <summary>Caller side: completes with the result decoded from a Success response.</summary>
    internal abstract void CompleteFromWire(ref WireReader reader);
    /// <summary>The grain method threw.</summary>
    internal abstract void CompleteWithGrainError(GrainError error);
    /// <summary>The runtime refused or failed the request (overload, time-out, unknown type, ...).</summary>
    internal abstract void CompleteWithRuntimeError(RejectionKind kind, Exception error);

    /// <summary>The outcome a sink must send: set just before <see cref="IResponseSink.Send"/>.</summary>
    internal ResponseKind Outcome;
    internal GrainError? Error;
    internal RejectionKind Rejection;
    internal Exception? RuntimeError;
}

/// <summary>Who made the request: code in this process, another silo (run it here), or a client
/// through this gateway (route it like a local call).</summary>
internal enum RequestOrigin : byte
{
    Local = 0,
    Silo = 1,
    Client = 2,
}

[Flags]
internal enum RequestFlags : byte
{
    None = 0,
    /// <summary>The sender placed a new activation on the target silo (no directory entry existed).</summary>
    NewPlacement = 1,
    /// <summary>Addressed to a stateless worker: run locally, no directory.</summary>
    StatelessWorker = 2,
    /// <summary>Internal turn (timer tick): does not extend the activation's life.</summary>
    NoKeepAlive = 4,
}

/// <summary>What a grain method threw: type name, message and stack, plus the original when local.</summary>
public sealed record GrainError(string ExceptionType, string Message, string? StackTrace, Exception? Original)
{
    public static GrainError From(Exception exception) =>
        exception is RemoteGrainException remote
            ? new GrainError(remote.ExceptionType, remote.RemoteMessage, remote.RemoteStackTrace, exception)
            : new GrainError(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace, exception);

    public RemoteGrainException ToException() => new(ExceptionType, Message, StackTrace, Original);
}

/// <summary>Receives completed requests whose caller is remote and sends their responses.</summary>
internal interface IResponseSink
{
    void Send(GrainRequest request);
}
