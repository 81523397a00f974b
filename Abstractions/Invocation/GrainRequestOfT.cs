using Agents.Abstractions.Serialization;

namespace Agents.Abstractions.Invocation;

/// <summary>A request whose method returns <typeparamref name="TResult"/> (<see cref="None"/> for
/// <c>Task</c>/<c>ValueTask</c>). Completion goes to a task the local caller awaits, or to a sink
/// that sends a response to a remote caller.</summary>
public abstract class GrainRequest<TResult> : GrainRequest
{
    private TaskCompletionSource<TResult>? _completion;
    private TResult? _result;

    /// <summary>Calls the grain method (generated).</summary>
    protected abstract ValueTask<TResult> InvokeAsync(object grain);
    protected abstract void WriteResultValue(WireWriter writer, TResult value);
    protected abstract TResult ReadResultValue(ref WireReader reader);

    /// <summary>The task the local caller awaits; call once, before sending.</summary>
    internal Task<TResult> CreateTask()
    {
        _completion = new TaskCompletionSource<TResult>();
        return _completion.Task;
    }

    internal override ValueTask RunAsync(object grain)
    {
        ValueTask<TResult> pending;
        try
        {
            pending = InvokeAsync(grain);
        }
        catch (Exception exception)
        {
            CompleteWithGrainError(GrainError.From(exception));
            return default;
        }
        if (pending.IsCompletedSuccessfully)
        {
            SetResult(pending.Result);
            return default;
        }
        return AwaitAsync(pending);
    }

    private async ValueTask AwaitAsync(ValueTask<TResult> pending)
    {
        TResult result;
        try
        {
            result = await pending;
        }
        catch (Exception exception)
        {
            CompleteWithGrainError(GrainError.From(exception));
            return;
        }
        SetResult(result);
    }

    internal void SetResult(TResult result)
    {
        if (!TryClaimCompletion()) return;
        if (Sink is { } sink)
        {
            _result = result;
            Outcome = ResponseKind.Success;
            sink.Send(this);
            return;
        }
        // Never run the caller's continuation under the callee activation's context.
        var context = SynchronizationContext.Current;
        if (context is not null) SynchronizationContext.SetSynchronizationContext(null);
        _completion!.SetResult(result);
        if (context is not null) SynchronizationContext.SetSynchronizationContext(context);
    }

    internal override void WriteResult(WireWriter writer) => WriteResultValue(writer, _result!);

    internal override void CompleteFromWire(ref WireReader reader)
    {
        TResult result;
        try
        {
            result = ReadResultValue(ref reader);
        }
        catch (Exception exception)
        {
            CompleteWithRuntimeError(RejectionKind.Unrecoverable,
                new WireFormatException($"The result of {MethodName} on {Target} could not be read: {exception.Message}"));
            return;
        }
        SetResult(result);
    }

    internal override void CompleteWithGrainError(GrainError error)
    {
        if (!TryClaimCompletion()) return;
        if (Sink is { } sink)
        {
            Error = error;
            Outcome = ResponseKind.Error;
            sink.Send(this);
            return;
        }
        Fail(error.ToException());
    }

    internal override void CompleteWithRuntimeError(RejectionKind kind, Exception error)
    {
        if (!TryClaimCompletion()) return;
        if (Sink is { } sink)
        {
            Rejection = kind;
            RuntimeError = error;
            Outcome = ResponseKind.Rejection;
            sink.Send(this);
            return;
        }
        Fail(error);
    }

    private void Fail(Exception exception)
    {
        var context = SynchronizationContext.Current;
        if (context is not null) SynchronizationContext.SetSynchronizationContext(null);
        _completion!.SetException(exception);
        if (context is not null) SynchronizationContext.SetSynchronizationContext(context);
    }
}

/// <summary>The result type of methods that return nothing.</summary>
public readonly struct None;
