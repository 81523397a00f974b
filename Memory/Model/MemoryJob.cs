namespace Agents.Memory.Model;

/// <summary>
/// Durable pending work (enrich, link, consolidate...) so that writes never wait for models: a job is
/// enqueued in the same transaction as the raw input it is about, claimed by a worker under a lease,
/// and completed or failed. A worker that crashes leaves its lease to expire and the job is claimed
/// again, so handlers must be idempotent.
/// </summary>
public sealed record MemoryJob
{
    public required Guid Id { get; init; }
    public required MemoryScope Scope { get; init; }
    /// <summary>What to do, e.g. "amem.enrich"; the pipelines define the kinds.</summary>
    public required string Kind { get; init; }
    /// <summary>A JSON document the handler understands.</summary>
    public required string PayloadJson { get; init; }
    /// <summary>Unique per tenant: enqueuing a key that exists returns the existing job.</summary>
    public required string IdempotencyKey { get; init; }
    public required MemoryJobStatus Status { get; init; }
    /// <summary>How many times it was claimed.</summary>
    public int Attempts { get; init; }
    public DateTimeOffset EnqueuedAt { get; init; }
    /// <summary>Not claimable before this time (retry back-off).</summary>
    public DateTimeOffset AvailableAt { get; init; }
    /// <summary>The worker holding the current lease, while <see cref="MemoryJobStatus.Pending"/> and leased.</summary>
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? LastError { get; init; }
}

/// <summary>Where a job stands.</summary>
public enum MemoryJobStatus
{
    /// <summary>Waiting, or claimed under a lease that may still expire.</summary>
    Pending = 0,
    /// <summary>Done; kept so the idempotency key keeps refusing duplicates.</summary>
    Completed = 1,
    /// <summary>Given up (the worker said not to retry).</summary>
    Failed = 2,
}

/// <summary>A job to enqueue.</summary>
/// <param name="Kind">What to do (1 to 128 characters).</param>
/// <param name="PayloadJson">A JSON document (validated as JSON).</param>
/// <param name="IdempotencyKey">Unique per tenant (1 to 512 characters).</param>
/// <param name="Scope">Null: the scope of the record written with it.</param>
public sealed record MemoryJobRequest(string Kind, string PayloadJson, string IdempotencyKey, MemoryScope? Scope = null)
{
    /// <summary>The id the job gets if it is stored (null: the store picks one), so that a caller whose
    /// key is new knows it without reading the job back.</summary>
    public Guid? Id { get; init; }
}
