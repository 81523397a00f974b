using Agents.Infra.Migrations;
using Agents.Memory.Stores.Postgres;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Agents.Grains.Hosting;

/// <summary>Brings the PostgreSQL schema (ours and Orleans' tables) and the data migrations need up to date
/// before anything in the silo touches the database: the first stage of the silo's lifecycle.</summary>
internal sealed class SchemaMigration(NpgsqlDataSource dataSource, ILogger<PostgresMigrator> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaMigration), ServiceLifecycleStage.First, async cancellationToken =>
        {
            var applied = await new PostgresMigrator(dataSource, logger: logger).MigrateAsync(cancellationToken);
            logger.LogInformation("PostgreSQL schema up to date ({Applied} migrations applied now)", applied.Count);
            // Records whose texts PostgreSQL analysed (stored before migration 0105) get the store's analysis.
            await PostgresTextReanalysis.RunAsync(dataSource, logger, cancellationToken);
        });
}
