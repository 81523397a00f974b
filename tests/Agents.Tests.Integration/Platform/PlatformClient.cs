using Orleans;
using Microsoft.Extensions.Hosting;

namespace Agents.Tests.Integration.Platform;

/// <summary>A running cluster client of a <see cref="PlatformCluster"/>.</summary>
public sealed class PlatformClient(IHost host, IClusterClient client) : IAsyncDisposable
{
    public IClusterClient Client { get; } = client;

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
