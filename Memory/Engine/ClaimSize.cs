namespace Agents.Memory.Engine;

/// <summary>
/// How many jobs the processor claims at once: as many as run in a quarter of their lease at the pace jobs
/// have been running, up to <see cref="MemoryEngineOptions.ClaimBatchSize"/>. Offline jobs take milliseconds,
/// and a larger claim saves the queue's round trips (LoCoMo on PostgreSQL: 2.65 -> 2.46 per turn); a job
/// that calls a model can take seconds, and jobs waiting in a claim are held from other workers until their
/// turn. Not thread-safe: the processor sizes one claim at a time.
/// </summary>
internal sealed class ClaimSize
{
    // Before any job has been timed.
    private const int Initial = 4;

    // Weight of the latest job in the running mean of durations.
    private const double Smoothing = 0.2;

    private readonly int _most;
    private readonly double _budgetSeconds;
    private double _meanSeconds = double.NaN;

    public ClaimSize(int most, TimeSpan lease)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(most, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        _most = most;
        _budgetSeconds = lease.TotalSeconds / 4;
    }

    /// <summary>The size of the next claim.</summary>
    public int Next
    {
        get
        {
            if (double.IsNaN(_meanSeconds)) return Math.Min(Initial, _most);
            var fits = _meanSeconds <= 0 ? _most : _budgetSeconds / _meanSeconds;
            return (int)Math.Clamp(Math.Floor(fits), 1, _most);
        }
    }

    /// <summary>A job of a claim ran for <paramref name="duration"/>.</summary>
    public void Observe(TimeSpan duration)
    {
        var seconds = Math.Max(0, duration.TotalSeconds);
        _meanSeconds = double.IsNaN(_meanSeconds) ? seconds : _meanSeconds + Smoothing * (seconds - _meanSeconds);
    }
}
