using System.CommandLine;
using Agents.Client;

namespace Agents.Cli;

/// <summary>The options that say which cluster a command talks to. A cluster counts as configured when
/// <c>--gateway</c> or <c>--postgres</c> is given, or <c>AGENTS_PG_CONNECTION</c> / <c>Agents__Postgres</c> is set.</summary>
internal sealed class ClusterOptions(Option<string> gateway, Option<string> cluster, Option<string?> postgres)
{
    public async Task<ClusterConnection> OpenAsync(ParseResult r, bool embeddedIfNone, CancellationToken cancellationToken)
    {
        var givenGateway = r.GetResult(gateway) is { Implicit: false };
        var connection = r.GetValue(postgres) ?? Environment.GetEnvironmentVariable("AGENTS_PG_CONNECTION") ?? Environment.GetEnvironmentVariable("Agents__Postgres");
        if (embeddedIfNone && !givenGateway && string.IsNullOrWhiteSpace(connection))
            return await ClusterConnection.StartEmbeddedAsync(cancellationToken);
        return await ClusterConnection.ConnectAsync(new AgentsClientOptions
        {
            ClusterId = r.GetValue(cluster)!,
            Gateways = [r.GetValue(gateway)!],
            Postgres = string.IsNullOrWhiteSpace(connection) ? null : connection,
        }, cancellationToken);
    }
}
