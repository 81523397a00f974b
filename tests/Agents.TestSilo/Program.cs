// An Agents silo on PostgreSQL, with the test grains, for multi-process tests:
//   Agents.TestSilo --pg <connection string> --cluster <id> --name <silo name> --port <n> --gateway-port <n> [--roles gpu] [--llm <base url>]
// Failure detection, job leases and reminders are shortened so that a killed silo is noticed and its
// work resumed within seconds. --llm points agents at an OpenAI-compatible server (memory pipelines stay offline).
// Prints "READY <name> <gateway port> <silo address>" once the silo is active; runs until killed or stdin closes.
using Agents.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

string Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? throw new ArgumentException($"{name} is required");
string? Optional(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

var name = Arg("--name");
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Agents:Postgres"] = Arg("--pg"),
    ["Agents:Silo:ClusterId"] = Arg("--cluster"),
    ["Agents:Silo:Name"] = name,
    ["Agents:Silo:Port"] = Arg("--port"),
    ["Agents:Silo:GatewayPort"] = Arg("--gateway-port"),
    ["Agents:Silo:Roles"] = Optional("--roles") ?? "",
    ["Agents:Inference:OnCpu"] = "true",
    ["Agents:Memory:Engine:Lease"] = "00:00:04",
});
if (Optional("--llm") is { } llm)
{
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Agents:Llm:BaseUrl"] = llm,
        ["Agents:Llm:ChatModel"] = "scripted-chat",
        ["Agents:Llm:MaxRetries"] = "0",
        ["Agents:Memory:Models"] = "offline",
    });
}
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Agents:Workflows:ResumeReminderPeriod"] = "00:00:02",
    ["Agents:Memory:Pipeline:ResumeReminderPeriod"] = "00:00:02",
});
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo =>
{
    silo.UseAgentsCluster(builder.Configuration).AddAgents(builder.Configuration);
    silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    silo.Configure<ClusterMembershipOptions>(o =>
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(1);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 1;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
    });
});
using var host = builder.Build();
await host.StartAsync();
var gateway = builder.Configuration["Agents:Silo:GatewayPort"];
var address = host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress;
Console.WriteLine($"READY {name} {gateway} {address}");
await Console.In.ReadToEndAsync();
await host.StopAsync();
