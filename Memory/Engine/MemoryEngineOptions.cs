using Agents.Memory.Pipelines;

namespace Agents.Memory.Engine;

/// <summary>Settings of the memory engine and its background processor (options pattern: bind from "Memory:Engine").</summary>
public sealed class MemoryEngineOptions
{
    /// <summary>This process's name on the job queue's leases.</summary>
    public string WorkerId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>Most jobs claimed at once. A claim asks for as many as run in a quarter of <see cref="Lease"/>
    /// at the pace jobs have been running (4 before the first has run): offline jobs fill it, jobs that wait
    /// on a model take a few at a time, leaving the rest to other workers.</summary>
    public int ClaimBatchSize { get; set; } = 16;

    /// <summary>How long a claimed job is ours; a crashed worker's jobs become claimable after it. A
    /// running job renews its lease every third of this, so a slow model does not lose it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle processor looks for work enqueued by other processes, and waiters re-check.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Claims before a job is given up (a model that keeps answering invalid JSON, a bug).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Back-off before a failed job is retried, times the attempt number.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Which pipelines run and their thresholds.</summary>
    public MemoryPipelineOptions Pipelines { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad setting (the pipelines' too).</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(WorkerId)) throw new ArgumentOutOfRangeException(nameof(WorkerId), "WorkerId must not be empty.");
        if (ClaimBatchSize is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(ClaimBatchSize), ClaimBatchSize, "ClaimBatchSize must lie between 1 and 1000.");
        if (Lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Lease), Lease, "Lease must be positive.");
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "PollInterval must be positive.");
        if (MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be at least 1.");
        if (RetryDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "RetryDelay must not be negative.");
        ArgumentNullException.ThrowIfNull(Pipelines);
        Pipelines.Validate();
    }
}
