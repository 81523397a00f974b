namespace Agents.Runtime.Membership;

/// <summary>Which rows the defunct clean-up removes (shared by every table so they agree).</summary>
internal static class MembershipCleanup
{
    /// <summary>A row is defunct when its silo has not heartbeated since <paramref name="beforeDate"/>
    /// and is not Active: dead silos, and silos that crashed while joining or shutting down. An
    /// Active row is never removed here; failure detection must first declare it dead.</summary>
    public static bool IsDefunct(MembershipEntry entry, DateTimeOffset beforeDate) =>
        entry.Status != SiloStatus.Active && entry.IAmAliveTime < beforeDate;
}
