// The Agents silo: `dotnet run --project Silo` runs a silo until stopped (Ctrl+C or SIGTERM). With
// no configuration it is a cluster of one on this machine (embedded store, offline models); see the
// README's configuration table for PostgreSQL, a model endpoint, roles and endpoints. Every silo is
// also a gateway on HTTP (Agents:Http:Urls): the API, Mem0's API, MCP and key administration (Silo/Api).
using Agents.Grains.Hosting;
using Agents.Silo.Api;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = AgentsApi.CreateBuilder(args.Where(a => a != "serve").ToArray());
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
builder.Logging.SetMinimumLevel(LogLevel.Information);
builder.Logging.AddFilter("Orleans", LogLevel.Warning);
builder.UseOrleans(silo => silo.UseAgentsCluster(builder.Configuration).AddAgents(builder.Configuration));

using var host = AgentsApi.Build(builder);
await host.StartAsync();
var silo = host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>();
Console.WriteLine($"silo {silo.Name} serving at {silo.SiloAddress} (gateway {silo.GatewayAddress?.ToString() ?? "none"}); Ctrl+C stops it");
var urls = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
Console.WriteLine($"API on {string.Join(", ", urls)} (reference: /scalar, MCP: /mcp)");
await host.WaitForShutdownAsync();
