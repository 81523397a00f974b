using Agents.Abstractions;
using Agents.Runtime.Activation;
using Agents.Runtime.Timers;

namespace Agents.Runtime;

/// <summary>
/// Base class of grain implementations. The runtime constructs it (constructor parameters come from
/// the silo's services, or are persistent states marked <see cref="Storage.PersistentStateAttribute"/>),
/// loads its states, calls <see cref="OnActivateAsync"/>, serves requests one turn at a time, and calls
/// <see cref="OnDeactivateAsync"/> before collecting it. All of a grain's code runs on its activation's
/// single-threaded context; do not use <c>ConfigureAwait(false)</c> in grain code.
/// </summary>
public abstract class Grain
{
    private readonly ActivationData _activation;

    protected Grain()
    {
        _activation = ActivationData.Constructing
            ?? throw new InvalidOperationException($"{GetType().Name} is a grain: it is created by the runtime on first call, not with 'new'.");
    }

    internal ActivationData Activation => _activation;

    public GrainId GrainId => _activation.Id;
    /// <summary>The grain's string key (<c>alice</c> in <c>agent/alice</c>).</summary>
    public string GrainKey => _activation.Id.Key;
    /// <summary>The silo this activation runs on (<c>host:port@generation</c>).</summary>
    public string RuntimeIdentity => _activation.Runtime.SiloAddress.ToString();
    /// <summary>The name of the silo this activation runs on.</summary>
    public string SiloName => _activation.Runtime.Options.SiloName;
    /// <summary>Unique id of this activation (a re-activation gets a new one).</summary>
    public Guid ActivationId => _activation.ActivationId;
    /// <summary>References to other grains; calls made through it carry this grain's call chain.</summary>
    protected IGrainFactory GrainFactory => _activation.Runtime.GrainFactory;

    /// <summary>Called after state is loaded and before the first request. Throwing fails the
    /// activation: the waiting calls receive the exception and the next call tries again.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called before the activation is collected (idle, shutdown, or <see cref="DeactivateOnIdle"/>).</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivate once the current requests finish; the next call re-activates (re-reading state).</summary>
    protected void DeactivateOnIdle() => _activation.RequestDeactivation(DeactivationReason.Requested);

    /// <summary>
    /// Calls <paramref name="callback"/> after <paramref name="dueTime"/> and then every
    /// <paramref name="period"/> (<see cref="Timeout.InfiniteTimeSpan"/> = once) as a turn of this
    /// activation: it never overlaps a request (unless the grain is reentrant) nor a previous tick.
    /// Ticks do not keep the activation alive; it is stopped when the activation deactivates or the
    /// returned handle is disposed.
    /// </summary>
    protected IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return _activation.RegisterTimer(new GrainTimer(_activation, callback, dueTime, period));
    }
}

/// <summary>Why an activation is going away.</summary>
public enum DeactivationReason
{
    Idle,
    Requested,
    /// <summary>Its state write hit an ETag conflict; the next call reloads the state.</summary>
    InconsistentState,
    ShuttingDown,
    ActivationFailed,
}
