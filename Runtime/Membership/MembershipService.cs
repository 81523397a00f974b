using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Agents.Runtime.Directory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Agents.Runtime.Membership;

/// <summary>
/// This silo's part in cluster membership (Orleans' MembershipTableManager and MembershipAgent in one):
/// joins (row Joining, older incarnations of itself declared Dead, every active silo probed, row Active),
/// heartbeats its I-am-alive time, refreshes the table into an observable <see cref="MembershipView"/>,
/// writes suspicion votes and death declarations as compare-and-swaps, removes the directory rows of
/// silos it sees die, and raises <see cref="StopRequested"/> when it reads itself dead. Failure detection
/// runs in the <see cref="HealthMonitor"/>. Independent of the transport: probes go through an
/// <see cref="ISiloProber"/>.
/// </summary>
public sealed partial class MembershipService : IAsyncDisposable
{
    private readonly IMembershipTable _table;
    private readonly IGrainDirectoryStore? _directory;
    private readonly MembershipOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<Channel<MembershipView>> _watchers = [];
    private readonly CancellationTokenSource _loopsCancellation = new();
    private readonly CancellationTokenSource _stopRequested = new();
    private readonly List<Task> _loops = [];
    private readonly HashSet<SiloAddress> _pendingDirectoryCleanup = [];
    private readonly SemaphoreSlim _processing = new(1, 1);

    private volatile MembershipView _view = MembershipView.Empty;
    private volatile MembershipTableData? _lastTable;
    private volatile SiloStatus _status = SiloStatus.Created;
    private DateTimeOffset _startTime;
    private int _started;
    private int _declaredDead;
    private volatile bool _joined;
    private volatile bool _stopping;

    public MembershipService(
        IMembershipTable table,
        LocalSiloDetails localSilo,
        ISiloProber prober,
        MembershipOptions options,
        ILoggerFactory? loggerFactory = null,
        IGrainDirectoryStore? directory = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(localSilo);
        ArgumentNullException.ThrowIfNull(prober);
        ArgumentNullException.ThrowIfNull(options);
        localSilo.Validate();
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        _table = table;
        _directory = directory;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = loggerFactory.CreateLogger<MembershipService>();
        LocalSilo = localSilo;
        Prober = prober;
        HealthMonitor = new ClusterHealthMonitor(this, prober, options, loggerFactory.CreateLogger<ClusterHealthMonitor>(), _time);
    }

    /// <summary>For dependency injection (<c>IOptions&lt;MembershipOptions&gt;</c>).</summary>
    public MembershipService(
        IMembershipTable table,
        LocalSiloDetails localSilo,
        ISiloProber prober,
        IOptions<MembershipOptions> options,
        ILoggerFactory? loggerFactory = null,
        IGrainDirectoryStore? directory = null,
        TimeProvider? timeProvider = null)
        : this(table, localSilo, prober, options.Value, loggerFactory, directory, timeProvider) { }

    public LocalSiloDetails LocalSilo { get; }

    public SiloAddress SiloAddress => LocalSilo.Silo;

    internal ISiloProber Prober { get; }

    internal MembershipOptions Options => _options;

    /// <summary>This silo's status as it last wrote or read it.</summary>
    public SiloStatus LocalStatus => _status;

    /// <summary>The latest view (never goes back in version).</summary>
    public MembershipView CurrentView => _view;

    /// <summary>The latest full table read (with votes and I-am-alive times), or null before the first read.</summary>
    internal MembershipTableData? LastTable => _lastTable;

    /// <summary>Failure detection: probes other silos and votes.</summary>
    public ClusterHealthMonitor HealthMonitor { get; }

    /// <summary>Raised on each new view, in version order (the next view waits for the handlers: keep them quick).</summary>
    public event Action<MembershipView>? ViewChanged;

    /// <summary>Raised right after <see cref="ViewChanged"/> with the silos that view shows dead for the
    /// first time (declared Dead, or superseded by a newer generation on their endpoint): drop their
    /// connections, cached directory entries and pending calls.</summary>
    public event Action<IReadOnlyCollection<SiloAddress>>? SilosDied;

    /// <summary>Cancelled when the cluster declared this silo dead (or a newer incarnation replaced it):
    /// the silo must stop at once. Not cancelled by a graceful <see cref="StopAsync"/>.</summary>
    public CancellationToken StopRequested => _stopRequested.Token;

    public bool IsDeclaredDead => Volatile.Read(ref _declaredDead) != 0;

    /// <summary>The current view, then every newer one (intermediate views may be skipped by a slow reader).</summary>
    public async IAsyncEnumerable<MembershipView> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<MembershipView>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            _watchers.Add(channel);
            channel.Writer.TryWrite(_view);
        }
        try
        {
            await foreach (var view in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return view;
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    /// <summary>
    /// Joins the cluster and starts the background loops: inserts this silo's row as Joining, declares
    /// older generations of its endpoint dead, probes every active silo (when
    /// <see cref="MembershipOptions.ValidateInitialConnectivity"/>), then writes Active.
    /// </summary>
    /// <exception cref="MembershipJoinException">The silo could not join; its row (if written) is marked Dead.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException($"Membership of silo {SiloAddress} was already started; a silo joins once (restart with a new generation).");
        await _table.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _startTime = _time.GetUtcNow();
        LogJoining(_logger, SiloAddress);
        try
        {
            await InsertOwnRowAsync(cancellationToken).ConfigureAwait(false);
            _status = SiloStatus.Joining;
            _joined = true;
            StartLoop("I-am-alive", _options.IAmAlivePeriod, HeartbeatAsync);
            if (_options.UseChangeNotifications && _table is IMembershipChangeFeed feed)
                StartChangeFeed(feed);

            foreach (var older in OlderIncarnations(_lastTable!))
            {
                LogDeclaringOlderGenerationDead(_logger, older, SiloAddress);
                await TryKillAsync(older, cancellationToken).ConfigureAwait(false);
            }

            if (_options.ValidateInitialConnectivity)
                await ValidateInitialConnectivityAsync(cancellationToken).ConfigureAwait(false);

            await UpdateOwnStatusAsync(SiloStatus.Active, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not SiloDeclaredDeadException)
        {
            LogJoinFailed(_logger, e, SiloAddress);
            await AbandonJoinAsync().ConfigureAwait(false);
            if (e is MembershipJoinException or OperationCanceledException)
                throw;
            throw new MembershipJoinException($"Silo {SiloAddress} could not join the cluster: {e.Message}", e);
        }

        StartLoop("table refresh", _options.TableRefreshPeriod, RefreshAsync);
        StartLoop("probe", _options.ProbePeriod, HealthMonitor.ProbeOnceAsync);
        StartLoop("defunct clean-up", _options.DefunctSiloCleanupPeriod, CleanupDefunctSilosAsync);
        LogActive(_logger, SiloAddress, _view.Version, _view.ActiveMembers.Count);
    }

    /// <summary>Graceful shutdown, first step: writes ShuttingDown (activations may then be handed off;
    /// the silo stays reachable and keeps heartbeating).</summary>
    public async Task BeginShutdownAsync(CancellationToken cancellationToken)
    {
        if (!_joined || IsDeclaredDead || _status is SiloStatus.ShuttingDown or SiloStatus.Stopping or SiloStatus.Dead)
            return;
        LogShuttingDown(_logger, SiloAddress);
        await UpdateOwnStatusAsync(SiloStatus.ShuttingDown, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Graceful shutdown: ShuttingDown (if not yet), then Dead by itself, then the loops stop.
    /// Its directory rows are removed as for any dead silo.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_joined && !IsDeclaredDead && _status != SiloStatus.Dead)
        {
            await BeginShutdownAsync(cancellationToken).ConfigureAwait(false);
            _stopping = true;
            await UpdateOwnStatusAsync(SiloStatus.Dead, cancellationToken).ConfigureAwait(false);
            LogStopped(_logger, SiloAddress);
        }
        _stopping = true;
        await StopLoopsAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the loops without writing to the table: to the cluster this is a crash, and the
    /// other silos will vote this silo dead. Use <see cref="StopAsync"/> for a graceful stop.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        await StopLoopsAsync().ConfigureAwait(false);
        _loopsCancellation.Dispose();
    }

    /// <summary>Reads the table and publishes a newer view if there is one.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken) =>
        await ReadTableAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Writes this silo's I-am-alive time (does not bump the version).</summary>
    public async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        if (!_joined || IsDeclaredDead || _status == SiloStatus.Dead)
            return;
        try
        {
            await _table.UpdateIAmAliveAsync(CreateOwnEntry(_status), cancellationToken).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            // Our row was cleaned up: we were dead long ago.
            if (!_stopping)
                SignalDeclaredDead("its membership row is gone");
        }
    }

    /// <summary>
    /// Votes <paramref name="target"/> suspect (with <paramref name="indirectProber"/>'s vote too, when an
    /// indirect probe through it also failed) and declares it Dead when the fresh votes reach
    /// min(<see cref="MembershipOptions.NumVotesForDeathDeclaration"/>, (active silos + 1) / 2). One
    /// compare-and-swap per attempt, retried on contention. Returns true when the target is dead.
    /// </summary>
    public async Task<bool> TrySuspectOrKillAsync(SiloAddress target, SiloAddress? indirectProber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target == SiloAddress)
            throw new ArgumentException($"Silo {SiloAddress} cannot vote against itself.", nameof(target));
        while (true)
        {
            if (_stopping || IsDeclaredDead || _status != SiloStatus.Active)
                return false;
            var table = await ReadTableAsync(cancellationToken).ConfigureAwait(false);
            var row = Find(table, target);
            if (row is null)
                return false;
            var (entry, etag) = row.Value;
            if (entry.Status == SiloStatus.Dead)
                return true;

            var now = _time.GetUtcNow();
            var votes = entry.SuspectTimes
                .Where(v => now - v.At < _options.DeathVoteExpiration && v.Suspecter != SiloAddress && v.Suspecter != indirectProber)
                .ToList();
            votes.Add(new SuspectVote(SiloAddress, now));
            if (indirectProber is not null)
                votes.Add(new SuspectVote(indirectProber, now));

            var activeSilos = table.Members.Count(m => m.Entry.Status == SiloStatus.Active);
            var required = Math.Max(1, Math.Min(_options.NumVotesForDeathDeclaration, (activeSilos + 1) / 2));
            if (votes.Count >= required)
            {
                LogDeclaringDead(_logger, target, votes.Count, required, SiloAddress);
                var dead = entry with { Status = SiloStatus.Dead, SuspectTimes = votes };
                if (await _table.UpdateRowAsync(dead, etag, table.Version.Next(), cancellationToken).ConfigureAwait(false))
                {
                    await ReadTableAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
            }
            else
            {
                // Keep only the newest votes that can matter.
                var kept = votes.OrderByDescending(v => v.At).Take(_options.NumVotesForDeathDeclaration).ToArray();
                LogVoting(_logger, SiloAddress, target, votes.Count, required);
                if (await _table.UpdateRowAsync(entry with { SuspectTimes = kept }, etag, table.Version.Next(), cancellationToken).ConfigureAwait(false))
                {
                    await ReadTableAsync(cancellationToken).ConfigureAwait(false);
                    return false;
                }
            }
            await ContentionDelayAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Declares <paramref name="target"/> Dead without votes: for a silo known to be gone (an older
    /// incarnation of a restarted silo, a silo stuck joining). Returns true when it is dead.</summary>
    public async Task<bool> TryKillAsync(SiloAddress target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        while (true)
        {
            var table = await ReadTableAsync(cancellationToken).ConfigureAwait(false);
            var row = Find(table, target);
            if (row is null)
                return false;
            if (row.Value.Entry.Status == SiloStatus.Dead)
                return true;
            if (await _table.UpdateRowAsync(row.Value.Entry with { Status = SiloStatus.Dead }, row.Value.ETag, table.Version.Next(), cancellationToken).ConfigureAwait(false))
            {
                await ReadTableAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            await ContentionDelayAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task InsertOwnRowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var table = await ReadTableAsync(cancellationToken).ConfigureAwait(false);
            if (Find(table, SiloAddress) is not null)
                throw new MembershipJoinException($"Silo {SiloAddress} already has a membership row: a generation is used once; restart with a new one (SiloGeneration.Next()).");
            var newer = table.Members.FirstOrDefault(m => m.Entry.Silo.Endpoint.Equals(SiloAddress.Endpoint)
                && m.Entry.Silo.Generation > SiloAddress.Generation && m.Entry.Status != SiloStatus.Dead);
            if (newer.Entry is not null)
                throw new MembershipJoinException($"Silo {SiloAddress} cannot join: a newer incarnation {newer.Entry.Silo} of its endpoint is {newer.Entry.Status}.");
            if (await _table.InsertRowAsync(CreateOwnEntry(SiloStatus.Joining), table.Version.Next(), cancellationToken).ConfigureAwait(false))
            {
                await ReadTableAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            await ContentionDelayAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ValidateInitialConnectivityAsync(CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _options.MaxJoinAttemptTime;
        while (true)
        {
            var table = await ReadTableAsync(cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var targets = table.Members
                .Where(m => m.Entry.Status == SiloStatus.Active && m.Entry.Silo != SiloAddress && !IsSilent(m.Entry, now))
                .Select(m => m.Entry.Silo)
                .ToArray();
            var results = await Task.WhenAll(targets.Select(t => SiloProbing.ProbeAsync(Prober, t, _options.ProbeTimeout, _time, _logger, cancellationToken))).ConfigureAwait(false);
            var unreachable = targets.Where((_, i) => !results[i]).ToArray();
            if (unreachable.Length == 0)
                return;
            if (_time.GetUtcNow() >= deadline)
                throw new MembershipJoinException(
                    $"Silo {SiloAddress} could not reach active silo(s) {string.Join(", ", unreachable.Select(s => s.ToString()))} within {_options.MaxJoinAttemptTime}; check the network between silos.");
            LogJoinProbeFailed(_logger, SiloAddress, string.Join(", ", unreachable.Select(s => s.ToString())));
            await Task.Delay(_options.ProbeTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A row whose silo has not heartbeated for three periods: do not wait for it while joining.</summary>
    private bool IsSilent(MembershipEntry entry, DateTimeOffset now) =>
        _options.IAmAlivePeriod != Timeout.InfiniteTimeSpan && now - entry.IAmAliveTime > 3 * _options.IAmAlivePeriod;

    private async Task UpdateOwnStatusAsync(SiloStatus status, CancellationToken cancellationToken)
    {
        while (true)
        {
            var table = await ReadTableAsync(cancellationToken).ConfigureAwait(false);
            var row = Find(table, SiloAddress);
            if (row is null || row.Value.Entry.Status == SiloStatus.Dead)
            {
                if (status == SiloStatus.Dead)
                {
                    _status = SiloStatus.Dead;
                    return;
                }
                throw new SiloDeclaredDeadException(SiloAddress, row is null ? "its membership row is gone" : "its row reads Dead");
            }
            var updated = row.Value.Entry with { Status = status, IAmAliveTime = _time.GetUtcNow() };
            if (await _table.UpdateRowAsync(updated, row.Value.ETag, table.Version.Next(), cancellationToken).ConfigureAwait(false))
            {
                _status = status;
                LogStatusWritten(_logger, SiloAddress, status);
                await ReadTableAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            await ContentionDelayAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task AbandonJoinAsync()
    {
        _stopping = true;
        await StopLoopsAsync().ConfigureAwait(false);
        if (!_joined)
            return;
        try
        {
            using var timeout = new CancellationTokenSource(_options.ProbeTimeout, _time);
            await UpdateOwnStatusAsync(SiloStatus.Dead, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogAbandonFailed(_logger, e, SiloAddress);
        }
    }

    /// <summary>Removes rows of silos not Active and silent for <see cref="MembershipOptions.DefunctSiloExpiration"/>
    /// (the background loop calls this every <see cref="MembershipOptions.DefunctSiloCleanupPeriod"/>).</summary>
    public async Task CleanupDefunctSilosAsync(CancellationToken cancellationToken) =>
        await _table.CleanupDefunctSiloEntriesAsync(_time.GetUtcNow() - _options.DefunctSiloExpiration, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads the whole table, keeps it, and when it is newer than the current view: removes the
    /// directory rows of silos that died since, then publishes the view (so a published death has no
    /// directory rows left, unless removing them failed and is being retried). Also checks whether this
    /// silo is still alive. Processing is serialised so views are published in version order.</summary>
    private async Task<MembershipTableData> ReadTableAsync(CancellationToken cancellationToken)
    {
        var table = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        await _processing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            MembershipView? view = null;
            SiloAddress[] newlyDead = [];
            lock (_gate)
            {
                var last = _lastTable;
                if (last is null || table.Version.Version >= last.Version.Version)
                    _lastTable = table;
                var previous = _view;
                if (table.Version.Version > previous.Version)
                {
                    view = new MembershipView(table.Version.Version, table.Members.Select(m => m.Entry));
                    // Dead now and not before (a superseded generation counts as dead too).
                    newlyDead = view.Members.Keys.Where(s => view.IsDead(s) && !previous.IsDead(s)).ToArray();
                }
            }

            if (_directory is not null)
                await RemoveDirectoryRowsOfDeadSilosAsync(newlyDead, cancellationToken).ConfigureAwait(false);

            if (view is not null)
                Publish(view, newlyDead);
            CheckSelf(table);
            return table;
        }
        finally
        {
            _processing.Release();
        }
    }

    private void Publish(MembershipView view, SiloAddress[] newlyDead)
    {
        lock (_gate)
        {
            _view = view;
            foreach (var watcher in _watchers)
                watcher.Writer.TryWrite(view);
        }
        LogViewChanged(_logger, SiloAddress, view);
        try
        {
            ViewChanged?.Invoke(view);
            if (newlyDead.Length > 0)
                SilosDied?.Invoke(newlyDead);
        }
        catch (Exception e)
        {
            LogViewHandlerFailed(_logger, e);
        }
    }

    /// <summary>Every silo that sees a death removes the dead silo's registrations (idempotent), so they
    /// go even when the silo that declared the death crashes right after; a failure is retried on the
    /// next read.</summary>
    private async Task RemoveDirectoryRowsOfDeadSilosAsync(SiloAddress[] newlyDead, CancellationToken cancellationToken)
    {
        SiloAddress[] pending;
        lock (_gate)
        {
            _pendingDirectoryCleanup.UnionWith(newlyDead);
            if (_pendingDirectoryCleanup.Count == 0)
                return;
            pending = [.. _pendingDirectoryCleanup];
        }
        try
        {
            var removed = await _directory!.UnregisterSilosAsync(pending, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _pendingDirectoryCleanup.ExceptWith(pending);
            }
            LogDirectoryCleaned(_logger, removed, string.Join(", ", pending.Select(s => s.ToString())));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDirectoryCleanupFailed(_logger, e);
        }
    }

    private void CheckSelf(MembershipTableData table)
    {
        if (!_joined || _stopping || IsDeclaredDead)
            return;
        var own = Find(table, SiloAddress);
        if (own is null)
        {
            SignalDeclaredDead("its membership row is gone");
            return;
        }
        if (own.Value.Entry.Status == SiloStatus.Dead)
        {
            SignalDeclaredDead("its row reads Dead");
            return;
        }
        var newer = table.Members.FirstOrDefault(m => m.Entry.Silo.Endpoint.Equals(SiloAddress.Endpoint)
            && m.Entry.Silo.Generation > SiloAddress.Generation && m.Entry.Status != SiloStatus.Dead);
        if (newer.Entry is not null)
            SignalDeclaredDead($"a newer incarnation {newer.Entry.Silo} of its endpoint joined");
    }

    private void SignalDeclaredDead(string reason)
    {
        if (Interlocked.Exchange(ref _declaredDead, 1) != 0)
            return;
        _status = SiloStatus.Dead;
        LogDeclaredDead(_logger, SiloAddress, reason);
        // Callbacks run on the thread pool, not inline in this (possibly loop) thread: a handler that
        // awaits StopAsync or DisposeAsync must not wait for the loop that is calling it.
        _ = _loopsCancellation.CancelAsync();
        _ = _stopRequested.CancelAsync();
    }

    private IEnumerable<SiloAddress> OlderIncarnations(MembershipTableData table) =>
        table.Members
            .Where(m => m.Entry.Silo.Endpoint.Equals(SiloAddress.Endpoint) && m.Entry.Silo.Generation < SiloAddress.Generation
                && m.Entry.Status != SiloStatus.Dead)
            .Select(m => m.Entry.Silo)
            .ToArray();

    internal static (MembershipEntry Entry, string ETag)? Find(MembershipTableData table, SiloAddress silo)
    {
        foreach (var member in table.Members)
        {
            if (member.Entry.Silo == silo)
                return member;
        }
        return null;
    }

    private MembershipEntry CreateOwnEntry(SiloStatus status) => new()
    {
        Silo = SiloAddress,
        Status = status,
        SiloName = LocalSilo.SiloName,
        HostName = LocalSilo.HostName,
        GatewayPort = LocalSilo.GatewayPort,
        Roles = LocalSilo.Roles,
        StartTime = _startTime,
        IAmAliveTime = _time.GetUtcNow(),
    };

    private Task ContentionDelayAsync(CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 20)), _time, cancellationToken);

    private void StartLoop(string name, TimeSpan period, Func<CancellationToken, Task> body)
    {
        if (period == Timeout.InfiniteTimeSpan)
            return;
        var token = _loopsCancellation.Token;
        lock (_gate)
        {
            _loops.Add(Task.Run(() => RunLoopAsync(name, period, body, token), CancellationToken.None));
        }
    }

    private void StartChangeFeed(IMembershipChangeFeed feed)
    {
        var token = _loopsCancellation.Token;
        lock (_gate)
        {
            _loops.Add(Task.Run(() => RunChangeFeedAsync(feed, token), CancellationToken.None));
        }
    }

    /// <summary>Refreshes on every announced change; a broken listener is re-subscribed after a pause
    /// (the periodic refresh covers the gap).</summary>
    private async Task RunChangeFeedAsync(IMembershipChangeFeed feed, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var subscription = await feed.SubscribeAsync(cancellationToken).ConfigureAwait(false);
                await using (subscription.ConfigureAwait(false))
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false); // whatever changed before we listened
                    while (true)
                    {
                        await subscription.WaitForChangeAsync(cancellationToken).ConfigureAwait(false);
                        await RefreshAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogLoopFailed(_logger, e, "change feed", SiloAddress);
                try
                {
                    await Task.Delay(ChangeFeedRetryDelay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static readonly TimeSpan ChangeFeedRetryDelay = TimeSpan.FromSeconds(1);

    private async Task RunLoopAsync(string name, TimeSpan period, Func<CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await body(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // One failed round (table unreachable, lost race) must not end the loop.
                    LogLoopFailed(_logger, e, name, SiloAddress);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task StopLoopsAsync()
    {
        try
        {
            _loopsCancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        Task[] loops;
        lock (_gate)
        {
            loops = [.. _loops];
            _loops.Clear();
        }
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} joining the cluster")]
    private static partial void LogJoining(ILogger logger, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} is Active at membership version {Version} with {ActiveCount} active silos")]
    private static partial void LogActive(ILogger logger, SiloAddress silo, int version, int activeCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Silo {Silo} failed to join the cluster")]
    private static partial void LogJoinFailed(ILogger logger, Exception exception, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} could not mark its abandoned join Dead")]
    private static partial void LogAbandonFailed(ILogger logger, Exception exception, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} cannot reach {Unreachable} yet while joining; retrying")]
    private static partial void LogJoinProbeFailed(ILogger logger, SiloAddress silo, string unreachable);

    [LoggerMessage(Level = LogLevel.Information, Message = "Declaring older incarnation {Older} dead: {Silo} replaces it")]
    private static partial void LogDeclaringOlderGenerationDead(ILogger logger, SiloAddress older, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} wrote its status {Status}")]
    private static partial void LogStatusWritten(ILogger logger, SiloAddress silo, SiloStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} shutting down")]
    private static partial void LogShuttingDown(ILogger logger, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} stopped gracefully")]
    private static partial void LogStopped(ILogger logger, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Target} declared Dead with {Votes} fresh votes (needed {Required}) by {Silo}")]
    private static partial void LogDeclaringDead(ILogger logger, SiloAddress target, int votes, int required, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} votes {Target} suspect ({Votes} of {Required} fresh votes)")]
    private static partial void LogVoting(ILogger logger, SiloAddress silo, SiloAddress target, int votes, int required);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Silo {Silo} was declared dead by the cluster ({Reason}); requesting stop")]
    private static partial void LogDeclaredDead(ILogger logger, SiloAddress silo, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Silo {Silo} sees membership {View}")]
    private static partial void LogViewChanged(ILogger logger, SiloAddress silo, MembershipView view);

    [LoggerMessage(Level = LogLevel.Error, Message = "A membership view handler threw")]
    private static partial void LogViewHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} directory registrations of dead silo(s) {Silos}")]
    private static partial void LogDirectoryCleaned(ILogger logger, int count, string silos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove directory registrations of dead silos; retrying on the next table read")]
    private static partial void LogDirectoryCleanupFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Membership {Loop} round of silo {Silo} failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, string loop, SiloAddress silo);
}
