// The Agents silo. `dotnet run --project Silo` runs the main job on the embedded default (one
// in-process silo, embedded memory store, offline models unless Agents:Llm:BaseUrl is set): a small
// team of agents works through a task, remembering as it goes, then recalls what it learnt and reads
// its memory bank through the inference pool. `-- serve` keeps a silo running for a cluster instead.
using Agents.Grains.Hosting;
using Agents.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

var serve = args.Contains("serve");
var configuration = new ConfigurationBuilder()
    .AddEnvironmentVariables()
    .AddCommandLine(args.Where(a => a != "serve").ToArray())
    .Build();
using var loggerFactory = LoggerFactory.Create(b => b
    .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
    .SetMinimumLevel(serve ? LogLevel.Information : LogLevel.Warning));

var settings = AgentsSiloSettings.Read(configuration);
await using var silo = AgentsSilo.Create(settings, loggerFactory);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
await silo.StartAsync(stop.Token);

if (serve)
{
    Console.WriteLine($"silo {silo.Host.Name} serving at {silo.Host.Address}; Ctrl+C stops it");
    try { await Task.Delay(Timeout.Infinite, stop.Token); } catch (OperationCanceledException) { }
}
else
{
    await DemoWorkflow.RunAsync(silo.Host.GrainFactory, Console.Out, stop.Token);
}
await silo.StopAsync(CancellationToken.None);
