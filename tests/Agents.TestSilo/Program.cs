// A silo on PostgreSQL for multi-process tests:
//   Agents.TestSilo --pg <connection string> --cluster <id> --name <silo name>
// Prints "READY <silo address> <gateway port>" once it is Active; runs until killed or stdin closes.
using Agents.Runtime.Hosting;
using Agents.Runtime.Membership;
using Agents.TestSilo;
using Microsoft.Extensions.Logging;
using Npgsql;

string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var connection = Arg("--pg") ?? throw new ArgumentException("--pg <connection string> is required");
var cluster = Arg("--cluster") ?? throw new ArgumentException("--cluster <id> is required");
var name = Arg("--name") ?? $"silo-{Environment.ProcessId}";

await using var dataSource = Agents.Infra.PostgresDataSource.Create(connection);
using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
var membership = new MembershipOptions
{
    IAmAlivePeriod = TimeSpan.FromMilliseconds(500),
    TableRefreshPeriod = TimeSpan.FromMilliseconds(500),
    ProbePeriod = TimeSpan.FromMilliseconds(250),
    ProbeTimeout = TimeSpan.FromMilliseconds(500),
    NumMissedProbesLimit = 2,
    NumVotesForDeathDeclaration = 1,
};
var builder = SiloHost.CreateBuilder()
    .Configure(o =>
    {
        o.ClusterId = cluster;
        o.SiloName = name;
        o.GatewayPort = -1;
        o.ResponseTimeout = TimeSpan.FromSeconds(10);
    })
    .AddGrain<LedgerGrain>()
    .UseLogging(logging);
builder.UsePostgres(dataSource, membership);
await using var silo = builder.Build();
await silo.StartAsync();
Console.WriteLine($"READY {silo.Address} {silo.GatewayEndpoint!.Port}");
await Console.In.ReadToEndAsync();
await silo.StopAsync();
