using System.Collections.Concurrent;
using Agents.Runtime.Membership;

namespace Agents.Tests.Unit.Runtime.Membership;

/// <summary>
/// A pretend network for the membership protocol: a silo answers probes while it is up, and single
/// links can be cut. Counts probes so tests can reason in rounds.
/// </summary>
internal sealed class FakeSiloNetwork
{
    private readonly ConcurrentDictionary<SiloAddress, bool> _up = new();
    private readonly ConcurrentDictionary<(SiloAddress From, SiloAddress To), bool> _cut = new();
    private int _probes;

    public int Probes => Volatile.Read(ref _probes);

    public void Up(SiloAddress silo) => _up[silo] = true;

    public void Down(SiloAddress silo) => _up[silo] = false;

    public void Cut(SiloAddress from, SiloAddress to) => _cut[(from, to)] = true;

    public ISiloProber ProberFor(SiloAddress self) => new Prober(this, self);

    private bool Reaches(SiloAddress from, SiloAddress to) =>
        _up.GetValueOrDefault(to) && !_cut.ContainsKey((from, to));

    private sealed class Prober(FakeSiloNetwork network, SiloAddress self) : ISiloProber, IIndirectSiloProber
    {
        public Task<bool> ProbeAsync(SiloAddress target, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref network._probes);
            return Task.FromResult(network.Reaches(self, target));
        }

        public Task<bool> ProbeIndirectlyAsync(SiloAddress intermediary, SiloAddress target, CancellationToken cancellationToken)
        {
            if (!network.Reaches(self, intermediary))
                throw new IOException($"{intermediary} is unreachable from {self}.");
            return Task.FromResult(network.Reaches(intermediary, target));
        }
    }
}

/// <summary>A clock tests move by hand (only <see cref="GetUtcNow"/>; timers stay real).</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
