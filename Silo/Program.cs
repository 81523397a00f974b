// The Agents silo: `dotnet run --project Silo` runs a silo until stopped (Ctrl+C or SIGTERM). With
// no configuration it is a cluster of one on this machine (embedded store, offline models); see
// docs/configuration.md for PostgreSQL, a model endpoint, roles and endpoints. Every silo is also a
// gateway on HTTP (Agents:Http:Urls): the API, Mem0's API, MCP and key administration (Silo/Api), plus
// health endpoints and the dashboard (Silo/Operations). `Agents.Silo health` asks a running silo for its
// readiness (the container image's health check).
using Agents.Grains.Hosting;
using Agents.Silo.Api;
using Agents.Silo.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

if (args is ["health", ..]) return await SiloHealthProbe.RunAsync(args[1..]);

var builder = AgentsApi.CreateBuilder(args.Where(a => a != "serve").ToArray());
builder.AddAgentsOperations();   // logs, telemetry, health checks, dashboard, Kubernetes, hand-off (Silo/Operations)
builder.UseOrleans(silo => silo.UseAgentsCluster(builder.Configuration).AddAgents(builder.Configuration));

using var host = AgentsApi.Build(builder);
(host as WebApplication)?.MapAgentsOperations();
await host.StartAsync();
var silo = host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>();
Console.WriteLine($"silo {silo.Name} serving at {silo.SiloAddress} (gateway {silo.GatewayAddress?.ToString() ?? "none"}); Ctrl+C stops it");
var urls = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
Console.WriteLine($"API on {string.Join(", ", urls)} (reference: /scalar, MCP: /mcp, health: /health/ready)");
await host.WaitForShutdownAsync();
return 0;
