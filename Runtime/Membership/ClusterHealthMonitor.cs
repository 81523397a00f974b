using Microsoft.Extensions.Logging;

namespace Agents.Runtime.Membership;

/// <summary>
/// Failure detection (after Orleans' ClusterHealthMonitor and SiloHealthMonitor). Each round, an Active
/// silo probes the <see cref="MembershipOptions.NumProbedSilos"/> silos after it on a ring ordered by
/// address, plus every silo someone suspects. After <see cref="MembershipOptions.NumMissedProbesLimit"/>
/// consecutive misses it asks another silo to probe indirectly (when the prober can), and unless that
/// succeeds it votes through <see cref="MembershipService.TrySuspectOrKillAsync"/>. Rows stuck joining
/// longer than <see cref="MembershipOptions.MaxJoinAttemptTime"/> are declared dead.
/// </summary>
public sealed partial class ClusterHealthMonitor
{
    private readonly MembershipService _membership;
    private readonly ISiloProber _prober;
    private readonly MembershipOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Dictionary<SiloAddress, int> _missedProbes = [];
    private int _rounds;

    internal ClusterHealthMonitor(MembershipService membership, ISiloProber prober, MembershipOptions options, ILogger logger, TimeProvider time)
    {
        _membership = membership;
        _prober = prober;
        _options = options;
        _logger = logger;
        _time = time;
    }

    /// <summary>Probe rounds completed so far (tests count rounds instead of timing them).</summary>
    public int CompletedRounds => Volatile.Read(ref _rounds);

    /// <summary>The silos probed in the latest round, with their consecutive misses.</summary>
    public IReadOnlyDictionary<SiloAddress, int> MonitoredSilos
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<SiloAddress, int>(_missedProbes);
            }
        }
    }

    /// <summary>One probe round (the background loop calls this every <see cref="MembershipOptions.ProbePeriod"/>).</summary>
    public async Task ProbeOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var table = _membership.LastTable;
            if (table is null || _membership.LocalStatus != SiloStatus.Active || _membership.IsDeclaredDead)
                return;
            var now = _time.GetUtcNow();
            var targets = SelectTargets(table, now);

            var results = await Task.WhenAll(targets.Select(t =>
                SiloProbing.ProbeAsync(_prober, t, _options.ProbeTimeout, _time, _logger, cancellationToken))).ConfigureAwait(false);

            var suspects = new List<SiloAddress>();
            lock (_gate)
            {
                var misses = new Dictionary<SiloAddress, int>();
                for (var i = 0; i < targets.Count; i++)
                {
                    var count = results[i] ? 0 : _missedProbes.GetValueOrDefault(targets[i]) + 1;
                    misses[targets[i]] = count;
                    if (count >= _options.NumMissedProbesLimit)
                        suspects.Add(targets[i]);
                    else if (count > 0)
                        LogMissedProbe(_logger, _membership.SiloAddress, targets[i], count);
                }
                _missedProbes = misses;
            }

            foreach (var suspect in suspects)
                await SuspectAsync(table, suspect, cancellationToken).ConfigureAwait(false);

            foreach (var stuck in StuckJoining(table, now))
            {
                LogStuckJoining(_logger, stuck, _options.MaxJoinAttemptTime);
                await _membership.TryKillAsync(stuck, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Increment(ref _rounds);
        }
    }

    private async Task SuspectAsync(MembershipTableData table, SiloAddress suspect, CancellationToken cancellationToken)
    {
        SiloAddress? intermediary = null;
        if (_options.UseIndirectProbes && _prober is IIndirectSiloProber indirect && PickIntermediary(table, suspect) is { } candidate)
        {
            var reached = await SiloProbing.ProbeIndirectlyAsync(indirect, candidate, suspect, _options.ProbeTimeout, _time, _logger, cancellationToken).ConfigureAwait(false);
            if (reached == true)
            {
                // The suspect is alive; the trouble is our own link to it. Do not vote.
                LogSparedByIndirectProbe(_logger, suspect, candidate);
                return;
            }
            if (reached == false)
                intermediary = candidate;
        }

        try
        {
            await _membership.TrySuspectOrKillAsync(suspect, intermediary, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogVoteFailed(_logger, e, suspect);
        }
    }

    /// <summary>The next <see cref="MembershipOptions.NumProbedSilos"/> live silos after this one on the
    /// ring, plus every silo with a fresh suspicion vote.</summary>
    internal List<SiloAddress> SelectTargets(MembershipTableData table, DateTimeOffset now)
    {
        var self = _membership.SiloAddress;
        var ring = table.Members
            .Where(m => m.Entry.Status is SiloStatus.Active or SiloStatus.ShuttingDown or SiloStatus.Stopping || m.Entry.Silo == self)
            .Select(m => m.Entry.Silo)
            .Order(SiloAddressOrder.Instance)
            .ToList();
        var targets = new List<SiloAddress>();
        var me = ring.IndexOf(self);
        if (me >= 0)
        {
            for (var i = 1; i < ring.Count && targets.Count < _options.NumProbedSilos; i++)
                targets.Add(ring[(me + i) % ring.Count]);
        }
        foreach (var (entry, _) in table.Members)
        {
            if (entry.Silo != self && entry.Status != SiloStatus.Dead && !targets.Contains(entry.Silo)
                && entry.SuspectTimes.Any(v => now - v.At < _options.DeathVoteExpiration))
                targets.Add(entry.Silo);
        }
        return targets;
    }

    private SiloAddress? PickIntermediary(MembershipTableData table, SiloAddress suspect)
    {
        var now = _time.GetUtcNow();
        var candidates = table.Members
            .Where(m => m.Entry.Status == SiloStatus.Active && m.Entry.Silo != suspect && m.Entry.Silo != _membership.SiloAddress
                && !m.Entry.SuspectTimes.Any(v => now - v.At < _options.DeathVoteExpiration))
            .Select(m => m.Entry.Silo)
            .ToArray();
        return candidates.Length == 0 ? null : candidates[Random.Shared.Next(candidates.Length)];
    }

    private IEnumerable<SiloAddress> StuckJoining(MembershipTableData table, DateTimeOffset now) =>
        table.Members
            .Where(m => m.Entry.Status is SiloStatus.Created or SiloStatus.Joining && m.Entry.Silo != _membership.SiloAddress
                && now - m.Entry.StartTime > _options.MaxJoinAttemptTime)
            .Select(m => m.Entry.Silo)
            .ToArray();

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo}: probe of {Target} missed ({Misses} in a row)")]
    private static partial void LogMissedProbe(ILogger logger, SiloAddress silo, SiloAddress target, int misses);

    [LoggerMessage(Level = LogLevel.Information, Message = "Not voting against {Suspect}: {Intermediary} reached it")]
    private static partial void LogSparedByIndirectProbe(ILogger logger, SiloAddress suspect, SiloAddress intermediary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write a suspicion vote against {Suspect}")]
    private static partial void LogVoteFailed(ILogger logger, Exception exception, SiloAddress suspect);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} has been joining for longer than {MaxJoinTime}; declaring it dead")]
    private static partial void LogStuckJoining(ILogger logger, SiloAddress silo, TimeSpan maxJoinTime);
}
