using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace Agents.Tests.Integration.Platform;

/// <summary>A running silo of a <see cref="PlatformCluster"/>.</summary>
public sealed class PlatformSilo(string name, IHost host) : IAsyncDisposable
{
    private bool _stopped;

    public string Name { get; } = name;
    public IServiceProvider Services => host.Services;
    public SiloAddress Address { get; } = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>This silo's current view of the cluster: every member it knows and its status.</summary>
    public IReadOnlyDictionary<SiloAddress, SiloStatus> Membership =>
        host.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members
            .ToDictionary(m => m.Key, m => m.Value.Status);

    /// <summary>Shuts the silo down gracefully: it deactivates its grains and marks itself Dead.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped) return;
        _stopped = true;
        await host.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        host.Dispose();
    }
}
