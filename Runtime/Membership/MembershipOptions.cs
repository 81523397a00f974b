namespace Agents.Runtime.Membership;

/// <summary>
/// Timings and thresholds of the membership protocol (after Orleans' <c>ClusterMembershipOptions</c>).
/// Defaults suit a production cluster; tests shrink every period so a dead silo is found within seconds.
/// A period of <see cref="Timeout.InfiniteTimeSpan"/> turns that background loop off (tests then drive
/// <see cref="MembershipService.RefreshAsync"/>, <see cref="MembershipService.HeartbeatAsync"/> and
/// <see cref="ClusterHealthMonitor.ProbeOnceAsync"/> by hand).
/// </summary>
public sealed class MembershipOptions
{
    /// <summary>How often a silo writes its I-am-alive time (no version bump). Orleans: 30 s.</summary>
    public TimeSpan IAmAlivePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a silo re-reads the whole table to refresh its view. Orleans: 60 s.</summary>
    public TimeSpan TableRefreshPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each monitored silo is probed.</summary>
    public TimeSpan ProbePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A probe not answered within this is a miss. Orleans: 5 s.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive missed probes before this silo votes. Orleans: 3.</summary>
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>How many other silos each silo probes (suspected silos are probed in addition). Orleans: 3.</summary>
    public int NumProbedSilos { get; set; } = 3;

    /// <summary>Fresh votes that declare a silo dead; fewer when the cluster is small
    /// (min(this, (active silos + 1) / 2)). Orleans: 2.</summary>
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>A suspicion vote older than this no longer counts. Orleans: 2 min.</summary>
    public TimeSpan DeathVoteExpiration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Before voting, ask another silo to probe the suspect (when the prober implements
    /// <see cref="IIndirectSiloProber"/>); its answer can spare a healthy silo.</summary>
    public bool UseIndirectProbes { get; set; } = true;

    /// <summary>Re-read the table as soon as it announces a change (when it implements
    /// <see cref="IMembershipChangeFeed"/>), besides the periodic refresh.</summary>
    public bool UseChangeNotifications { get; set; } = true;

    /// <summary>A joining silo must reach every active silo before it becomes Active.</summary>
    public bool ValidateInitialConnectivity { get; set; } = true;

    /// <summary>How long a silo may take to join; a row stuck in Joining longer is declared dead. Orleans: 5 min.</summary>
    public TimeSpan MaxJoinAttemptTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often rows of long-dead silos are removed (infinite: never).</summary>
    public TimeSpan DefunctSiloCleanupPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows not Active and silent this long count as defunct. Orleans: 7 days.</summary>
    public TimeSpan DefunctSiloExpiration { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        static void Period(TimeSpan value, string name)
        {
            if (value != Timeout.InfiniteTimeSpan && value <= TimeSpan.Zero)
                throw new ArgumentException($"MembershipOptions.{name} must be positive or Timeout.InfiniteTimeSpan, not {value}.", name);
        }

        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
                throw new ArgumentException($"MembershipOptions.{name} must be positive, not {value}.", name);
        }

        Period(IAmAlivePeriod, nameof(IAmAlivePeriod));
        Period(TableRefreshPeriod, nameof(TableRefreshPeriod));
        Period(ProbePeriod, nameof(ProbePeriod));
        Period(DefunctSiloCleanupPeriod, nameof(DefunctSiloCleanupPeriod));
        Positive(ProbeTimeout, nameof(ProbeTimeout));
        Positive(DeathVoteExpiration, nameof(DeathVoteExpiration));
        Positive(MaxJoinAttemptTime, nameof(MaxJoinAttemptTime));
        Positive(DefunctSiloExpiration, nameof(DefunctSiloExpiration));
        if (NumMissedProbesLimit < 1)
            throw new ArgumentException($"MembershipOptions.NumMissedProbesLimit must be at least 1, not {NumMissedProbesLimit}.", nameof(NumMissedProbesLimit));
        if (NumProbedSilos < 1)
            throw new ArgumentException($"MembershipOptions.NumProbedSilos must be at least 1, not {NumProbedSilos}.", nameof(NumProbedSilos));
        if (NumVotesForDeathDeclaration < 1)
            throw new ArgumentException($"MembershipOptions.NumVotesForDeathDeclaration must be at least 1, not {NumVotesForDeathDeclaration}.", nameof(NumVotesForDeathDeclaration));
    }
}
