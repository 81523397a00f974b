using Orleans;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Agents.Tests.Integration.Platform;

/// <summary>
/// One Orleans cluster on a test database: silos and clients started in this process, each a
/// real host (<c>Host.CreateApplicationBuilder</c> + <c>UseOrleans</c>/<c>UseOrleansClient</c>) on
/// loopback ports, all configured by <see cref="OrleansOnPostgres"/>. Cluster and service ids are
/// fresh, so clusters sharing a database do not see each other.
/// </summary>
public sealed class PlatformCluster(string connectionString)
{
    public string ConnectionString { get; } = connectionString;
    public string ClusterId { get; } = $"cluster-{Guid.NewGuid():N}";
    public string ServiceId { get; } = $"service-{Guid.NewGuid():N}";

    /// <summary>Reminders as often as once a second, so the reminder tests take seconds.</summary>
    public static readonly TimeSpan MinimumReminderPeriod = TimeSpan.FromSeconds(1);

    public async Task<PlatformSilo> StartSiloAsync(string name, CancellationToken cancellationToken = default)
    {
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var builder = OrleansOnPostgres.EmptyHostBuilder();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => OrleansOnPostgres.Identify(o, ClusterId, ServiceId));
            silo.Configure<SiloOptions>(o => o.SiloName = name);
            silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
            silo.UsePostgres(ConnectionString);
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = MinimumReminderPeriod);
        });
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
        return new PlatformSilo(name, host);
    }

    public async Task<PlatformClient> StartClientAsync(CancellationToken cancellationToken = default)
    {
        var builder = OrleansOnPostgres.EmptyHostBuilder();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => OrleansOnPostgres.Identify(o, ClusterId, ServiceId));
            client.UsePostgres(ConnectionString);
        });
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
        return new PlatformClient(host, host.Services.GetRequiredService<IClusterClient>());
    }

    /// <summary>A port nobody listens on now. Another process could take it before the silo binds
    /// it; on loopback, in a test run, that is rare enough.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
