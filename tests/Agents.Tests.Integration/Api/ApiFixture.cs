using Agents.Tests.Integration.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Agents.Tests.Integration.Api;

/// <summary>A fresh migrated database and one serving silo over it, shared by a test class.</summary>
public class ApiFixture : IAsyncLifetime
{
    public PostgresDatabase Database { get; } = new();
    public ApiHost Host { get; private set; } = null!;

    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    /// <summary>Registrations over the product's, e.g. gated models.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Host = await ApiHost.StartAsync(Database.ConnectionString, Settings, ConfigureServices);
    }

    public async Task DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>How many memory rows, history rows and jobs the tenant has in the store.</summary>
    public async Task<(long Records, long History, long Jobs)> CountAsync(string tenant)
    {
        await using var command = Database.DataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM memory_records WHERE tenant = $1), (SELECT count(*) FROM memory_history WHERE tenant = $1), (SELECT count(*) FROM memory_jobs WHERE tenant = $1)");
        command.Parameters.AddWithValue(tenant);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
