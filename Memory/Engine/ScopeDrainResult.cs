namespace Agents.Memory.Engine;

/// <summary>What a drain of one scope did: jobs run, jobs still pending (as last counted), and, when the
/// drain stopped because none could be claimed, when a claim could succeed again (a retry's back-off,
/// another worker's lease); null when nothing is pending or the drain stopped at its job limit.</summary>
public sealed record ScopeDrainResult(int Ran, long Pending, DateTimeOffset? RetryAt);
