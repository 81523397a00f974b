using Microsoft.Extensions.DependencyInjection;
// The silo host. With no configuration it runs the embedded default: one in-process silo, the
// embedded memory store and offline models. Point it at PostgreSQL with AGENTS_PG_CONNECTION.
using Agents.Infra.Migrations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

var builder = Host.CreateApplicationBuilder(args);
var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Agents.Silo");
var connectionString = builder.Configuration["AGENTS_PG_CONNECTION"];
if (!string.IsNullOrWhiteSpace(connectionString))
{
    await using var dataSource = NpgsqlDataSource.Create(connectionString);
    var applied = await new PostgresMigrator(dataSource).MigrateAsync();
    logger.LogInformation("PostgreSQL schema up to date ({Count} migrations applied now)", applied.Count);
}
logger.LogInformation("Silo ready ({Mode})", string.IsNullOrWhiteSpace(connectionString) ? "embedded" : "postgres");
Console.WriteLine("silo ready");
