// The Agents silo. `dotnet run --project Silo` runs the main job on the embedded default (one
// in-process silo, embedded memory store, offline models unless Agents:Llm:BaseUrl is set): a small
// team of agents works through a task, remembering as it goes, then recalls what it learnt and reads
// its memory bank through the inference pool. `-- serve` keeps a silo running for a cluster instead.
using Agents.Grains.Hosting;
using Agents.Silo;
using Agents.Silo.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var serve = args.Contains("serve");
var hostArgs = args.Where(a => a != "serve").ToArray();
// A serving silo is also a web host: the HTTP API, Mem0's API and MCP on Agents:Http:Urls (Silo/Api).
IHostApplicationBuilder builder = serve ? AgentsApi.CreateBuilder(hostArgs) : Host.CreateApplicationBuilder(hostArgs);
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
builder.Logging.SetMinimumLevel(serve ? LogLevel.Information : LogLevel.Warning);
builder.Logging.AddFilter("Orleans", LogLevel.Warning);
builder.UseOrleans(silo => silo.UseAgentsCluster(builder.Configuration).AddAgents(builder.Configuration));

using var host = AgentsApi.Build(builder);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
await host.StartAsync(stop.Token);

if (serve)
{
    var silo = host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>();
    Console.WriteLine($"silo {silo.Name} serving at {silo.SiloAddress} (gateway {silo.GatewayAddress?.ToString() ?? "none"}); Ctrl+C stops it");
    Console.WriteLine($"API on {string.Join(", ", host.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [])} (reference: /scalar, MCP: /mcp)");
    try { await Task.Delay(Timeout.Infinite, stop.Token); } catch (OperationCanceledException) { }
}
else
{
    await DemoWorkflow.RunAsync(host.Services.GetRequiredService<IGrainFactory>(), Console.Out, stop.Token);
}
await host.StopAsync(CancellationToken.None);
