namespace Agents.Tests.Integration.Memory.Conformance;

/// <summary>A clock the test moves by hand, so lease expiry and store-owned times are deterministic.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
