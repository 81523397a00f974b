namespace Agents.Runtime.Membership;

/// <summary>
/// Probes another silo (a ping over whatever transport the silo host uses). The membership protocol
/// depends only on this, not on the transport. A probe that throws, or does not finish within
/// <see cref="MembershipOptions.ProbeTimeout"/>, counts as a miss.
/// </summary>
public interface ISiloProber
{
    /// <summary>True when <paramref name="target"/> answered.</summary>
    Task<bool> ProbeAsync(SiloAddress target, CancellationToken cancellationToken);
}

/// <summary>
/// Optionally implemented by an <see cref="ISiloProber"/>: asks <paramref name="intermediary"/> to probe
/// <paramref name="target"/>, so a silo with a broken link of its own does not vote a healthy silo dead.
/// </summary>
public interface IIndirectSiloProber
{
    /// <summary>True when <paramref name="intermediary"/> reached <paramref name="target"/>; false when it
    /// could not; throws when the intermediary itself could not be asked.</summary>
    Task<bool> ProbeIndirectlyAsync(SiloAddress intermediary, SiloAddress target, CancellationToken cancellationToken);
}
