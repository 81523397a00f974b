using Agents.Abstractions;
using Agents.Abstractions.Invocation;
using Agents.Runtime.Directory;
using Agents.Runtime.Timers;
using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Activation;

/// <summary>Activation and deactivation of an <see cref="ActivationData"/> (runs on its executor).</summary>
internal sealed partial class ActivationData
{
    private async Task ActivateAsync()
    {
        _state = ActivationState.Activating;
        if (!Class.IsStatelessWorker)
        {
            GrainAddress registered;
            try
            {
                registered = await Runtime.Locator.RegisterAsync(Address, CancellationToken.None);
            }
            catch (Exception exception)
            {
                Runtime.Logger.LogWarning(exception, "Directory registration of {Grain} failed", Id);
                Finish(new SiloUnavailableException($"Could not register {Id} in the grain directory: {exception.Message}", exception));
                return;
            }
            if (registered.ActivationId != ActivationId)
            {
                // Another silo won the first-writer-wins race: this activation never runs; its
                // requests go to the winner.
                Runtime.Locator.CacheAddress(registered);
                Finish(null);
                return;
            }
        }

        try
        {
            Instance = CreateInstance();
            foreach (var state in _states) await state.LoadAsync(CancellationToken.None);
            if (Instance is Grain grain) await grain.OnActivateAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            Runtime.Logger.LogWarning(exception, "Activation of {Grain} failed", Id);
            if (!Class.IsStatelessWorker) await UnregisterQuietlyAsync();
            Finish(exception);
            return;
        }

        _state = ActivationState.Valid;
        foreach (var timer in _timers) timer.Start();
        Pump();
    }

    private object CreateInstance()
    {
        _constructing = this;
        try
        {
            return Class.Activator.Create(this, _states);
        }
        finally
        {
            _constructing = null;
        }
    }

    private void OnDeactivationRequested(DeactivationReason reason)
    {
        if (_state is ActivationState.Deactivating or ActivationState.Invalid) return;
        if (reason == DeactivationReason.Idle)
        {
            // Re-check on the executor: a request may have arrived since the collector looked.
            var idleFor = Environment.TickCount64 - LastActiveMs;
            if (Load > 0 || _waiting.Count > 0 || _running.Count > 0 || idleFor < Class.CollectionAge.TotalMilliseconds) return;
        }
        _deactivation ??= reason;
        if (_state == ActivationState.Valid && _running.Count == 0) _ = DeactivateAsync(_deactivation.Value);
        // Activating or busy: Pump deactivates once the running requests finish.
    }

    private async Task DeactivateAsync(DeactivationReason reason)
    {
        _state = ActivationState.Deactivating;
        foreach (var timer in _timers.ToArray()) timer.Dispose();
        try
        {
            if (Instance is Grain grain) await grain.OnDeactivateAsync(reason, CancellationToken.None);
        }
        catch (Exception exception)
        {
            Runtime.Logger.LogWarning(exception, "OnDeactivateAsync of {Grain} threw", Id);
        }
        // Requests that arrived while deactivating run again elsewhere, including those that
        // started during OnDeactivateAsync's awaits (none may: state is not Valid).
        if (!Class.IsStatelessWorker) await UnregisterQuietlyAsync();
        Runtime.Logger.LogDebug("Deactivated {Grain} ({Reason})", Id, reason);
        Finish(null);
    }

    private async Task UnregisterQuietlyAsync()
    {
        try
        {
            await Runtime.Locator.UnregisterAsync(Address, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The row stays until the silo is declared dead or a later registration replaces it.
            Runtime.Logger.LogWarning(exception, "Directory unregistration of {Grain} failed", Id);
        }
    }

    /// <summary>Ends the activation: leaves the catalog, then fails (with <paramref name="error"/>) or
    /// re-routes (when null) every request it still holds.</summary>
    private void Finish(Exception? error)
    {
        _state = ActivationState.Invalid;
        _activationError = error;
        Volatile.Write(ref _invalid, 1);
        Runtime.Catalog.Remove(this);
        Completed.TrySetResult();
        while (_waiting.TryDequeue(out var request))
        {
            Interlocked.Decrement(ref _load);
            if (request is TimerTickRequest) continue;
            GiveBack(request);
        }
    }

    /// <summary>Why activation failed, if it did: requests that reach this activation after it failed
    /// get this error too. Rerouting them would only re-run the failing activation elsewhere until the
    /// forward limit hid the real cause.</summary>
    private Exception? _activationError;

    /// <summary>Answers a request this (invalid) activation will not run: rerouted after a normal
    /// deactivation or a lost directory race, failed with the activation's own error otherwise.</summary>
    private void GiveBack(GrainRequest request)
    {
        if (_activationError is null) Runtime.Router.Reroute(request);
        else if (_activationError is GrainRuntimeException runtimeError) request.CompleteWithRuntimeError(RejectionKind.Transient, runtimeError);
        else request.CompleteWithGrainError(GrainError.From(_activationError));
    }

    /// <summary>Completes when the activation has finished.</summary>
    public TaskCompletionSource Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal IDisposable RegisterTimer(GrainTimer timer)
    {
        // Called from grain code, i.e. on the executor.
        _timers.Add(timer);
        if (_state == ActivationState.Valid) timer.Start();
        return timer;
    }

    internal void UnregisterTimer(GrainTimer timer) => Post(new WorkItem(WorkKind.Continuation, (SendOrPostCallback)(_ => _timers.Remove(timer)), null));

    private void OnTimerTick(GrainTimer timer)
    {
        if (_state != ActivationState.Valid || _deactivation is not null) return;
        Interlocked.Increment(ref _load);
        OnRequest(new TimerTickRequest(timer, this));
    }
}
