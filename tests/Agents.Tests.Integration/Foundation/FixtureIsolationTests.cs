using Agents.Tests.Integration.Infrastructure;
using Npgsql;

namespace Agents.Tests.Integration.Foundation;

public sealed class FixtureIsolationTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Each_test_class_gets_its_own_fresh_migrated_database_which_is_dropped_afterwards()
    {
        await using (var command = db.DataSource.CreateCommand("SELECT current_database(), (SELECT count(*) FROM agents_schema_migrations), (SELECT extversion FROM pg_extension WHERE extname = 'vector')"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(db.Name, reader.GetString(0));
            Assert.True(reader.GetInt64(1) >= 1);
            Assert.False(reader.IsDBNull(2));
        }

        // Another fixture makes another database, and dropping it leaves no trace on the server.
        var other = new PostgresDatabase();
        await other.InitializeAsync();
        Assert.NotEqual(db.Name, other.Name);
        Assert.True(await DatabaseExistsAsync(other.Name));
        await other.DisposeAsync();
        Assert.False(await DatabaseExistsAsync(other.Name));
    }

    private static async Task<bool> DatabaseExistsAsync(string name)
    {
        await using var server = await TestPostgres.OpenServerAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @n", server);
        command.Parameters.AddWithValue("n", name);
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }
}
