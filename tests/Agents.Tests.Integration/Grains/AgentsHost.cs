using System.Net;
using System.Net.Sockets;
using Agents.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agents.Tests.Integration.Grains;

/// <summary>A real Agents silo host as Silo/Program.cs builds it (TCP endpoints on free loopback ports), in this process.</summary>
public sealed class AgentsHost : IAsyncDisposable
{
    private readonly IHost _host;

    private AgentsHost(IHost host, string cluster, int gatewayPort)
    {
        _host = host;
        ClusterId = cluster;
        Gateway = $"127.0.0.1:{gatewayPort}";
    }

    public string ClusterId { get; }
    public string Gateway { get; }
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <param name="logging">Where the host's logs go besides nowhere (the default), e.g. a test's capture.</param>
    public static async Task<AgentsHost> StartAsync(IReadOnlyDictionary<string, string?>? configuration = null, Action<ILoggingBuilder>? logging = null)
    {
        var cluster = $"c{Guid.NewGuid():N}";
        var gatewayPort = FreePort();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:Silo:ClusterId"] = cluster,
            ["Agents:Silo:ServiceId"] = cluster,
            ["Agents:Silo:Name"] = "test-host",
            ["Agents:Silo:Port"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Agents:Silo:GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        if (configuration is not null) builder.Configuration.AddInMemoryCollection(configuration);
        logging?.Invoke(builder.Logging);
        builder.UseOrleans(silo => silo.UseAgentsCluster(builder.Configuration).AddAgents(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return new AgentsHost(host, cluster, gatewayPort);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
