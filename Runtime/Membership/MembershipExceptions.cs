namespace Agents.Runtime.Membership;

/// <summary>The silo could not join the cluster (another incarnation owns its endpoint, or it could not
/// reach every active silo within <see cref="MembershipOptions.MaxJoinAttemptTime"/>).</summary>
public sealed class MembershipJoinException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The cluster declared this silo dead; it must stop at once (a restart is a new silo).</summary>
public sealed class SiloDeclaredDeadException(SiloAddress silo, string reason)
    : Exception($"Silo {silo} was declared dead by the cluster ({reason}); it must stop.")
{
    public SiloAddress Silo { get; } = silo;
}
