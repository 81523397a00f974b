using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Agents.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agents.Bench.Grains;

/// <summary>The bench's own silo, built as the product's host builds one, on loopback ports.</summary>
internal static class LocalSilo
{
    public static async Task<IHost> StartAsync(string cluster, int port, int gatewayPort, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:Silo:Name"] = "bench-local",
            ["Agents:Silo:ClusterId"] = cluster,
            ["Agents:Silo:ServiceId"] = cluster,
            ["Agents:Silo:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Agents:Silo:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseAgentsCluster(builder.Configuration).AddAgents(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
