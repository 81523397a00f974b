// The Agents silo: `dotnet run --project Silo` runs a silo until stopped (Ctrl+C or SIGTERM). With
// no configuration it is a cluster of one on this machine (embedded store, offline models); see
// docs/configuration.md for PostgreSQL, a model endpoint, roles and endpoints. `Agents.Silo health`
// asks a running silo for its readiness (the container image's health check).
using Agents.Grains.Hosting;
using Agents.Silo.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

if (args is ["health", ..]) return await SiloHealthProbe.RunAsync(args[1..]);

var builder = Host.CreateApplicationBuilder(args.Where(a => a != "serve").ToArray());
builder.AddAgentsOperations();   // logs, telemetry, health checks, dashboard, Kubernetes, hand-off (Silo/Operations)
builder.UseOrleans(silo => silo.UseAgentsCluster(builder.Configuration).AddAgents(builder.Configuration));

using var host = builder.Build();
await host.StartAsync();
var silo = host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>();
Console.WriteLine($"silo {silo.Name} serving at {silo.SiloAddress} (gateway {silo.GatewayAddress?.ToString() ?? "none"}); Ctrl+C stops it");
await host.WaitForShutdownAsync();
return 0;
