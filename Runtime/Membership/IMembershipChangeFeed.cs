namespace Agents.Runtime.Membership;

/// <summary>
/// Optionally implemented by an <see cref="IMembershipTable"/> that can announce changes of its version
/// row (PostgreSQL: LISTEN/NOTIFY sent by the same transaction as the compare-and-swap). Silos then read
/// the table as soon as it changes instead of waiting for the next periodic refresh: the role gossip
/// plays in Orleans. Heartbeats announce nothing.
/// </summary>
public interface IMembershipChangeFeed
{
    /// <summary>Starts listening; changes committed after this returns are not missed.</summary>
    Task<IMembershipChangeSubscription> SubscribeAsync(CancellationToken cancellationToken);
}

/// <summary>A listener on one cluster's membership changes.</summary>
public interface IMembershipChangeSubscription : IAsyncDisposable
{
    /// <summary>Completes when the membership changed since the previous call (or since subscribing);
    /// throws when the listening connection broke (subscribe again).</summary>
    Task WaitForChangeAsync(CancellationToken cancellationToken);
}
