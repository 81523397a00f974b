namespace Agents.Tests.Unit.Memory.Pipelines;

/// <summary>A clock moved by hand, and a millisecond at each reading so that adds keep their order in the queue.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() { lock (_gate) return _now = _now.AddMilliseconds(1); }

    public void Advance(TimeSpan by) { lock (_gate) _now += by; }
}
