using Agents.Runtime.Activation;

namespace Agents.Runtime.Timers;

/// <summary>A grain timer: a System.Threading.Timer whose ticks become turns of the activation.</summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly ActivationData _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly TimeSpan _dueTime;
    private readonly TimeSpan _period;
    private readonly CancellationTokenSource _stopped = new();
    private Timer? _timer;
    private int _tickPending;

    public GrainTimer(ActivationData activation, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        _activation = activation;
        _callback = callback;
        _dueTime = dueTime;
        _period = period;
    }

    public void Start() => _timer = new Timer(static state => ((GrainTimer)state!).OnTimer(), this, _dueTime, _period);

    private void OnTimer()
    {
        if (_stopped.IsCancellationRequested) return;
        // A tick still waiting for its turn absorbs this one: ticks never pile up.
        if (Interlocked.Exchange(ref _tickPending, 1) != 0) return;
        _activation.EnqueueTimerTick(this);
    }

    /// <summary>Runs on the activation's context as a turn.</summary>
    internal async Task TickAsync()
    {
        try
        {
            if (!_stopped.IsCancellationRequested) await _callback(_stopped.Token);
        }
        finally
        {
            Volatile.Write(ref _tickPending, 0);
        }
    }

    public void Dispose()
    {
        if (_stopped.IsCancellationRequested) return;
        _stopped.Cancel();
        _timer?.Dispose();
        _activation.UnregisterTimer(this);
    }
}
