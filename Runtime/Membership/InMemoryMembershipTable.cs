namespace Agents.Runtime.Membership;

/// <summary>
/// Holds the membership of any number of clusters in memory. Share one store between the
/// <see cref="InMemoryMembershipTable"/>s of the silos of an in-process cluster.
/// </summary>
public sealed class InMemoryMembershipStore
{
    internal readonly Lock Gate = new();
    internal readonly Dictionary<string, ClusterRows> Clusters = new(StringComparer.Ordinal);

    internal sealed class ClusterRows
    {
        public int Version;
        public readonly Dictionary<SiloAddress, (MembershipEntry Entry, int ETag)> Silos = [];
    }

    // Change announcements, per cluster id (they outlive a deleted cluster's rows).
    private readonly Dictionary<string, ChangeSignal> _signals = new(StringComparer.Ordinal);

    internal ChangeSignal SignalFor(string clusterId)
    {
        lock (Gate)
        {
            if (!_signals.TryGetValue(clusterId, out var signal))
                _signals[clusterId] = signal = new ChangeSignal();
            return signal;
        }
    }

    /// <summary>A change counter plus a task that completes on the next change.</summary>
    internal sealed class ChangeSignal
    {
        private readonly Lock _gate = new();
        private long _changes;
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public (long Changes, Task Next) Current
        {
            get
            {
                lock (_gate)
                {
                    return (_changes, _next.Task);
                }
            }
        }

        public void Raise()
        {
            TaskCompletionSource completed;
            lock (_gate)
            {
                _changes++;
                completed = _next;
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            completed.TrySetResult();
        }
    }
}

/// <summary>
/// <see cref="IMembershipTable"/> in memory, with the same compare-and-swap semantics as the
/// PostgreSQL table: for unit tests and a single embedded silo.
/// </summary>
public sealed class InMemoryMembershipTable : IMembershipTable, IMembershipChangeFeed
{
    private readonly InMemoryMembershipStore _store;
    private readonly string _clusterId;

    public InMemoryMembershipTable(InMemoryMembershipStore store, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        _store = store;
        _clusterId = clusterId;
    }

    /// <summary>A table over a private store (one cluster).</summary>
    public InMemoryMembershipTable(string clusterId = "default") : this(new InMemoryMembershipStore(), clusterId) { }

    public string ClusterId => _clusterId;

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        lock (_store.Gate)
        {
            _store.Clusters.TryAdd(_clusterId, new InMemoryMembershipStore.ClusterRows());
        }
        return Task.CompletedTask;
    }

    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken)
    {
        lock (_store.Gate)
        {
            var cluster = Cluster();
            return Task.FromResult(Snapshot(cluster, cluster.Silos.Values));
        }
    }

    public Task<MembershipTableData> ReadRowAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silo);
        lock (_store.Gate)
        {
            var cluster = Cluster();
            var rows = cluster.Silos.TryGetValue(silo, out var row) ? [row] : Array.Empty<(MembershipEntry, int)>();
            return Task.FromResult(Snapshot(cluster, rows));
        }
    }

    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken)
    {
        MembershipETags.Validate(entry);
        var (expected, next) = MembershipETags.ParseTransition(tableVersion);
        lock (_store.Gate)
        {
            var cluster = Cluster();
            if (cluster.Version != expected || cluster.Silos.ContainsKey(entry.Silo))
                return Task.FromResult(false);
            cluster.Silos.Add(entry.Silo, (entry, 0));
            cluster.Version = next;
        }
        _store.SignalFor(_clusterId).Raise();
        return Task.FromResult(true);
    }

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken)
    {
        MembershipETags.Validate(entry);
        var rowETag = MembershipETags.Parse(etag, nameof(etag));
        var (expected, next) = MembershipETags.ParseTransition(tableVersion);
        lock (_store.Gate)
        {
            var cluster = Cluster();
            if (cluster.Version != expected || !cluster.Silos.TryGetValue(entry.Silo, out var row) || row.ETag != rowETag)
                return Task.FromResult(false);
            cluster.Silos[entry.Silo] = (entry, rowETag + 1);
            cluster.Version = next;
        }
        _store.SignalFor(_clusterId).Raise();
        return Task.FromResult(true);
    }

    public Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_store.Gate)
        {
            var cluster = Cluster();
            if (!cluster.Silos.TryGetValue(entry.Silo, out var row))
                throw new KeyNotFoundException($"Silo {entry.Silo} has no row in membership cluster '{_clusterId}'; it must join before it heartbeats.");
            // The row's ETag stays: a heartbeat must not invalidate a concurrent suspicion vote.
            cluster.Silos[entry.Silo] = (row.Entry with { IAmAliveTime = entry.IAmAliveTime }, row.ETag);
        }
        return Task.CompletedTask;
    }

    public Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken)
    {
        lock (_store.Gate)
        {
            if (!_store.Clusters.TryGetValue(_clusterId, out var cluster))
                return Task.CompletedTask;
            foreach (var (silo, row) in cluster.Silos.ToArray())
            {
                if (MembershipCleanup.IsDefunct(row.Entry, beforeDate))
                    cluster.Silos.Remove(silo);
            }
        }
        return Task.CompletedTask;
    }

    public Task DeleteClusterAsync(CancellationToken cancellationToken)
    {
        lock (_store.Gate)
        {
            _store.Clusters.Remove(_clusterId);
        }
        return Task.CompletedTask;
    }

    public Task<IMembershipChangeSubscription> SubscribeAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IMembershipChangeSubscription>(new Subscription(_store.SignalFor(_clusterId)));

    private sealed class Subscription(InMemoryMembershipStore.ChangeSignal signal) : IMembershipChangeSubscription
    {
        private long _seen = signal.Current.Changes;

        public async Task WaitForChangeAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var (changes, next) = signal.Current;
                if (changes != _seen)
                {
                    _seen = changes;
                    return;
                }
                await next.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private InMemoryMembershipStore.ClusterRows Cluster() =>
        _store.Clusters.TryGetValue(_clusterId, out var cluster)
            ? cluster
            : throw new MembershipTableNotInitializedException(_clusterId);

    private static MembershipTableData Snapshot(InMemoryMembershipStore.ClusterRows cluster, IEnumerable<(MembershipEntry Entry, int ETag)> rows) =>
        new(new TableVersion(cluster.Version, MembershipETags.Format(cluster.Version)),
            rows.Select(r => (r.Entry, MembershipETags.Format(r.ETag))).ToArray());
}
