using Agents.Infra.Migrations;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Agents.Grains.Hosting;

/// <summary>Brings the PostgreSQL schema (ours and Orleans' tables) up to date before anything in the
/// silo touches the database: the first stage of the silo's lifecycle.</summary>
internal sealed class SchemaMigration(NpgsqlDataSource dataSource, ILogger<PostgresMigrator> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaMigration), ServiceLifecycleStage.First, async cancellationToken =>
        {
            var applied = await new PostgresMigrator(dataSource, logger: logger).MigrateAsync(cancellationToken);
            logger.LogInformation("PostgreSQL schema up to date ({Applied} migrations applied now)", applied.Count);
        });
}
