using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Agents.Client;
using Agents.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agents.Cli;

/// <summary>
/// Grains to call: a cluster reached as a client, or, when none is configured, a silo hosted in this
/// process for the duration of the command (embedded store, offline models unless an endpoint is
/// configured through the environment, on free loopback ports).
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    private readonly AgentsClient? _client;
    private readonly IHost? _silo;

    private ClusterConnection(AgentsClient? client, IHost? silo, IGrainFactory grains, bool embedded)
    {
        _client = client;
        _silo = silo;
        Grains = grains;
        Embedded = embedded;
    }

    public IGrainFactory Grains { get; }
    public bool Embedded { get; }

    public static async Task<ClusterConnection> ConnectAsync(AgentsClientOptions options, CancellationToken cancellationToken)
    {
        var client = await AgentsClient.ConnectAsync(options, cancellationToken: cancellationToken);
        return new ClusterConnection(client, null, client.Cluster, embedded: false);
    }

    public static async Task<ClusterConnection> StartEmbeddedAsync(CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:Silo:Name"] = "agents-cli",
            ["Agents:Silo:ClusterId"] = $"cli-{Environment.ProcessId}",
            ["Agents:Silo:Port"] = FreePort(),
            ["Agents:Silo:GatewayPort"] = FreePort(),
        });
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        builder.UseOrleans(silo => silo.UseAgentsCluster(builder.Configuration).AddAgents(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new ClusterConnection(null, host, host.Services.GetRequiredService<IGrainFactory>(), embedded: true);
    }

    private static string FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
        if (_silo is not null)
        {
            await _silo.StopAsync(CancellationToken.None);
            _silo.Dispose();
        }
    }
}
