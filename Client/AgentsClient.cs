using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agents.Client;

/// <summary>
/// A connected Orleans <see cref="IClusterClient"/> for an Agents cluster, in a host of its own, for
/// programs that are not hosts themselves (the CLI, tools). Hosts add the client with
/// <c>UseOrleansClient(c =&gt; c.UseAgentsCluster(options))</c> instead.
/// </summary>
public sealed class AgentsClient : IAsyncDisposable
{
    private readonly IHost _host;

    private AgentsClient(IHost host)
    {
        _host = host;
        Cluster = host.Services.GetRequiredService<IClusterClient>();
    }

    public IClusterClient Cluster { get; }

    /// <summary>Connects, or fails with Orleans' connection error when no gateway answers.</summary>
    public static async Task<AgentsClient> ConnectAsync(AgentsClientOptions options, LogLevel logLevel = LogLevel.Warning, CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(logLevel);
        builder.UseOrleansClient(client => client.UseAgentsCluster(options));
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new AgentsClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(CancellationToken.None);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
