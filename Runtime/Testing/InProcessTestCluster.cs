using Agents.Runtime.Directory;
using Agents.Runtime.Hosting;
using Agents.Runtime.Membership;
using Agents.Runtime.Storage;

namespace Agents.Runtime.Testing;

/// <summary>
/// Several silos in one process, talking over real loopback TCP, sharing one directory store, one state
/// store and one cluster view (after Orleans' InProcessTestCluster). Silos can be started, stopped
/// gracefully, killed and restarted within a test. A kill closes the silo's sockets at once and then
/// declares it dead in the shared view, standing in for failure detection.
/// </summary>
public sealed class InProcessTestCluster : IAsyncDisposable
{
    private readonly Action<SiloBuilder> _configure;
    private readonly List<SiloHost> _silos = [];
    private int _nextSilo;

    /// <param name="membershipTable">When given, silos run the real membership protocol on it (and a
    /// killed silo is found dead by the others' probes); otherwise they share an in-process view.</param>
    public InProcessTestCluster(Action<SiloBuilder> configure, IGrainDirectoryStore? directory = null, IGrainStateStore? stateStore = null,
        IMembershipTable? membershipTable = null, MembershipOptions? membershipOptions = null, string? clusterId = null)
    {
        _configure = configure;
        Directory = directory ?? new InMemoryGrainDirectoryStore();
        StateStore = stateStore ?? new InMemoryGrainStateStore();
        MembershipTable = membershipTable;
        MembershipOptions = membershipOptions ?? FastMembershipOptions();
        ClusterId = clusterId ?? "test-" + Guid.NewGuid().ToString("N")[..8];
    }

    /// <summary>Timings that find a killed silo dead within a couple of seconds.</summary>
    public static MembershipOptions FastMembershipOptions() => new()
    {
        IAmAlivePeriod = TimeSpan.FromMilliseconds(250),
        TableRefreshPeriod = TimeSpan.FromMilliseconds(250),
        ProbePeriod = TimeSpan.FromMilliseconds(150),
        ProbeTimeout = TimeSpan.FromMilliseconds(300),
        NumMissedProbesLimit = 2,
        NumVotesForDeathDeclaration = 1,
    };

    public IMembershipTable? MembershipTable { get; }
    public MembershipOptions MembershipOptions { get; }

    public IGrainDirectoryStore Directory { get; }
    public IGrainStateStore StateStore { get; }
    public InProcessClusterMembership Membership { get; } = new();
    public string ClusterId { get; }
    public IReadOnlyList<SiloHost> Silos { get { lock (_silos) return [.. _silos]; } }

    public async Task<SiloHost> StartSiloAsync(Action<SiloOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = SiloHost.CreateBuilder();
        builder.Options.SiloName = $"silo{Interlocked.Increment(ref _nextSilo)}";
        builder.Options.ClusterId = ClusterId;
        builder.Options.GatewayPort = -1;
        // Grains a test left hanging must not hold the test up for Orleans' long default.
        builder.Options.ShutdownTimeout = TimeSpan.FromSeconds(2);
        builder.UseDirectory(Directory).UseStateStore(StateStore);
        if (MembershipTable is null) builder.UseMembership(Membership.Handle());
        else builder.UseMembershipTable(MembershipTable, MembershipOptions);
        _configure(builder);
        configure?.Invoke(builder.Options);
        var silo = builder.Build();
        await silo.StartAsync(cancellationToken);
        lock (_silos) _silos.Add(silo);
        return silo;
    }

    public async Task StartSilosAsync(int count, Action<SiloOptions>? configure = null)
    {
        for (var i = 0; i < count; i++) await StartSiloAsync(configure);
        await WaitForStableViewAsync();
    }

    /// <summary>Waits until every running silo sees exactly the running silos as active.</summary>
    public async Task WaitForStableViewAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var silos = Silos;
            var expected = silos.Select(s => s.Address).ToHashSet();
            if (silos.All(s => s.ActiveSilos.Select(m => m.Silo).ToHashSet().SetEquals(expected))) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The silos did not agree on a view of {expected.Count} silos.");
            await Task.Delay(20);
        }
    }

    public async Task StopSiloAsync(SiloHost silo)
    {
        lock (_silos) _silos.Remove(silo);
        await silo.StopAsync();
        await silo.DisposeAsync();
    }

    public void KillSilo(SiloHost silo)
    {
        lock (_silos) _silos.Remove(silo);
        var address = silo.Address;
        silo.Kill();
        if (MembershipTable is null) Membership.DeclareDead(address);
    }

    /// <summary>Kills (or, when <paramref name="graceful"/>, stops) a silo and starts a new one with the
    /// same options (a new generation).</summary>
    public async Task<SiloHost> RestartSiloAsync(SiloHost silo, bool graceful = false)
    {
        var options = silo.Options;
        if (graceful) await StopSiloAsync(silo); else KillSilo(silo);
        return await StartSiloAsync(o =>
        {
            o.SiloName = options.SiloName;
            o.Roles = options.Roles;
            o.Endpoint = options.Endpoint;
            o.ResponseTimeout = options.ResponseTimeout;
            o.MaxActivationQueueLength = options.MaxActivationQueueLength;
            o.MaxMessageSize = options.MaxMessageSize;
            o.CollectionQuantum = options.CollectionQuantum;
            o.DefaultCollectionAge = options.DefaultCollectionAge;
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Silos.Select(async silo =>
        {
            try { await StopSiloAsync(silo); }
            catch (Exception) { silo.Kill(); }
        }));
    }
}
