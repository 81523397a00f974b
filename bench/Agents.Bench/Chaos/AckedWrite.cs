namespace Agents.Bench.Chaos;

/// <summary>An add the API acknowledged (2xx): its scope, idempotency key, the stored input's id, the silo that answered.</summary>
internal sealed record AckedWrite(string User, string IdempotencyKey, Guid EpisodeId, string Silo, DateTimeOffset At);
