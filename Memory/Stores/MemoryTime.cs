namespace Agents.Memory.Stores;

/// <summary>Times as the stores keep them: UTC, whole microseconds (PostgreSQL's <c>timestamptz</c>
/// resolution), so that both stores return exactly the same values.</summary>
public static class MemoryTime
{
    public static DateTimeOffset Normalize(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % 10, TimeSpan.Zero);
    }

    public static DateTimeOffset? Normalize(DateTimeOffset? value) => value is { } v ? Normalize(v) : null;
}
