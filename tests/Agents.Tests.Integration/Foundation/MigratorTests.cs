using Agents.Infra.Migrations;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Foundation;

public sealed class MigratorTests(EmptyPostgresDatabase db) : IClassFixture<EmptyPostgresDatabase>
{
    private static MigrationCatalog Catalog(params (int Version, string Sql)[] files) =>
        new(files.Select(f => new Migration(f.Version, $"m{f.Version}", f.Sql)));

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migrators_started_at_once_apply_each_migration_exactly_once()
    {
        // A migration that is not idempotent: applying it twice would add two rows (or fail on CREATE).
        var catalog = Catalog(
            (1, "CREATE TABLE race_log (n int)"),
            (2, "INSERT INTO race_log VALUES (2); SELECT pg_sleep(0.2)"),
            (3, "INSERT INTO race_log VALUES (3)"));

        var start = new TaskCompletionSource();
        var migrators = Enumerable.Range(0, 6).Select(async _ =>
        {
            await start.Task;
            return await new PostgresMigrator(db.DataSource, catalog).MigrateAsync();
        }).ToArray();
        start.SetResult();
        var applied = await Task.WhenAll(migrators);

        Assert.Equal([1, 2, 3], applied.SelectMany(a => a).Order());
        Assert.Equal(2, await ScalarAsync("SELECT count(*) FROM race_log"));
        Assert.Equal(3, await ScalarAsync("SELECT count(*) FROM agents_schema_migrations WHERE version <= 3"));

        // A second run finds nothing to do.
        Assert.Empty(await new PostgresMigrator(db.DataSource, catalog).MigrateAsync());
    }

    [Fact]
    public async Task A_migration_changed_after_it_was_applied_is_refused_with_a_clear_error()
    {
        await new PostgresMigrator(db.DataSource, Catalog((10, "CREATE TABLE checksum_probe (a int)"))).MigrateAsync();

        var edited = Catalog((10, "CREATE TABLE checksum_probe (a int, b int)"), (11, "CREATE TABLE never_applied (a int)"));
        var error = await Assert.ThrowsAsync<MigrationException>(() => new PostgresMigrator(db.DataSource, edited).MigrateAsync());

        Assert.Contains("Migration 10 'm10' was changed after it was applied", error.Message);
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'never_applied'"));
    }

    [Fact]
    public async Task A_migration_amended_after_release_accepts_a_database_that_applied_an_earlier_text()
    {
        const string First = "CREATE TABLE amended_probe (a int)";
        await new PostgresMigrator(db.DataSource, Catalog((30, First))).MigrateAsync();

        var amended = Catalog((30, $"-- replaces checksum {Migration.ComputeChecksum(First)}\nCREATE TABLE amended_probe (a int, b int)"),
            (31, "ALTER TABLE amended_probe ADD COLUMN IF NOT EXISTS b int"));
        Assert.Equal([31], await new PostgresMigrator(db.DataSource, amended).MigrateAsync());

        // Recorded as the current text from then on.
        await using (var command = db.DataSource.CreateCommand("SELECT checksum FROM agents_schema_migrations WHERE version = 30"))
            Assert.Equal(amended.Migrations[0].Checksum, (string?)await command.ExecuteScalarAsync());
        Assert.Empty(await new PostgresMigrator(db.DataSource, amended).MigrateAsync());
    }

    [Fact]
    public async Task A_database_that_applied_the_first_released_0105_starts_and_gets_its_listing_trigger()
    {
        var fresh = new EmptyPostgresDatabase();
        await fresh.InitializeAsync();
        try
        {
            await new PostgresMigrator(fresh.DataSource).MigrateAsync();
            // The schema and record that first text left: the listing inside memory_records_text, no trigger of its own.
            await using (var first = fresh.DataSource.CreateCommand("""
                CREATE OR REPLACE FUNCTION memory_records_text() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO memory_text_reanalysis (id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
                    RETURN NEW;
                END
                $$;
                DROP TRIGGER memory_records_text_foreign ON memory_records;
                DROP FUNCTION memory_text_reanalysis_listed();
                UPDATE agents_schema_migrations SET checksum = 'a70ba46f08b57b3a86c4d62d990214b18ac4523da6afc3d6c05daf430aae0020' WHERE version = 105;
                DELETE FROM agents_schema_migrations WHERE version > 105;
                """))
                await first.ExecuteNonQueryAsync();

            var applied = await new PostgresMigrator(fresh.DataSource).MigrateAsync();

            Assert.Equal(MigrationCatalog.Default.Migrations.Select(m => m.Version).Where(v => v > 105), applied);
            await using var check = fresh.DataSource.CreateCommand("""
                SELECT (SELECT count(*) FROM pg_trigger WHERE tgname = 'memory_records_text_foreign')
                     + (SELECT count(*) FROM pg_proc WHERE proname = 'memory_records_text' AND prosrc LIKE '%to_tsvector%' AND prosrc NOT LIKE '%memory_text_reanalysis%')
                """);
            Assert.Equal(2L, Convert.ToInt64(await check.ExecuteScalarAsync()));
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_failing_migration_is_rolled_back_whole_and_not_recorded()
    {
        var catalog = Catalog((20, "CREATE TABLE half_done (a int); INSERT INTO no_such_table VALUES (1)"));
        var error = await Assert.ThrowsAsync<MigrationException>(() => new PostgresMigrator(db.DataSource, catalog).MigrateAsync());

        Assert.Contains("Migration 20 'm20' failed and was rolled back", error.Message);
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'"));
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM agents_schema_migrations WHERE version = 20"));
    }

    [Fact]
    public async Task The_shipped_migrations_apply_and_are_idempotent()
    {
        var fresh = new EmptyPostgresDatabase();
        await fresh.InitializeAsync();
        try
        {
            var first = await new PostgresMigrator(fresh.DataSource).MigrateAsync();
            Assert.Equal(MigrationCatalog.Default.Migrations.Select(m => m.Version), first);
            Assert.Contains(1, first);
            Assert.Empty(await new PostgresMigrator(fresh.DataSource).MigrateAsync());
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }
}
