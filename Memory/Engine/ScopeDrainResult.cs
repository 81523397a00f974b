namespace Agents.Memory.Engine;

/// <summary>What a drain of one scope did: jobs run, jobs still pending, and when a claim could succeed
/// again if some are pending (a retry's back-off, another worker's lease); null with none pending.</summary>
public sealed record ScopeDrainResult(int Ran, long Pending, DateTimeOffset? RetryAt);
