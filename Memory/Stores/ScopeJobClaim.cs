using Agents.Memory.Model;

namespace Agents.Memory.Stores;

/// <summary>
/// The answer to a claim of one scope's next job: the job now leased to the caller (null when none
/// could be taken), how many jobs of the scope are pending (the claimed one included), and, when
/// nothing was claimed but work is pending, the earliest time a claim could succeed (a retry's
/// back-off ends, or another worker's lease runs out).
/// </summary>
public sealed record ScopeJobClaim(MemoryJob? Job, long Pending, DateTimeOffset? RetryAt)
{
    public static ScopeJobClaim Idle { get; } = new(null, 0, null);
}
