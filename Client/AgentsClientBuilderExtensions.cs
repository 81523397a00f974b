using System.Net;
using System.Net.Sockets;
using Orleans.Configuration;

namespace Agents.Client;

/// <summary>Points Orleans' client builder at an Agents cluster.</summary>
public static class AgentsClientBuilderExtensions
{
    public static IClientBuilder UseAgentsCluster(this IClientBuilder client, AgentsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);
        if (!string.IsNullOrWhiteSpace(options.Postgres))
        {
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = options.Postgres;
            });
            return client;
        }
        if (options.Gateways.Count == 0) throw new ArgumentException("An Agents client needs a gateway (host:port) or the cluster's PostgreSQL connection string.", nameof(options));
        client.UseStaticClustering(options.Gateways.Select(ParseGateway).ToArray());
        return client;
    }

    /// <summary><c>host:port</c> (an IP or a name resolved now to IPv4) as an endpoint.</summary>
    public static IPEndPoint ParseGateway(string gateway)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(gateway);
        if (IPEndPoint.TryParse(gateway, out var endpoint) && endpoint.Port > 0) return endpoint;
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway[(colon + 1)..], out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"'{gateway}' is not a host:port gateway address.", nameof(gateway));
        var address = Dns.GetHostAddresses(gateway[..colon]).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? throw new ArgumentException($"The gateway host '{gateway[..colon]}' does not resolve to an IPv4 address.", nameof(gateway));
        return new IPEndPoint(address, port);
    }
}
