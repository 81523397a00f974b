using Agents.Tests.Integration.Infrastructure;
using Orleans;

namespace Agents.Tests.Integration.Platform;

/// <summary>A fresh migrated database with one silo and one client on it, shared by a test class
/// (use as <c>IClassFixture&lt;SingleSiloCluster&gt;</c>); stopped before the database is dropped.
/// Re-implements <see cref="IAsyncLifetime"/> so that xUnit calls these rather than the base's.</summary>
public sealed class SingleSiloCluster : PostgresDatabase, IAsyncLifetime
{
    public PlatformCluster Cluster { get; private set; } = null!;
    public PlatformSilo Silo { get; private set; } = null!;
    public PlatformClient Client { get; private set; } = null!;
    public IClusterClient Grains => Client.Client;

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Cluster = new PlatformCluster(ConnectionString);
        Silo = await Cluster.StartSiloAsync("solo");
        Client = await Cluster.StartClientAsync();
    }

    public new async Task DisposeAsync()
    {
        if (Client is not null) await Client.DisposeAsync();
        if (Silo is not null) await Silo.DisposeAsync();
        await base.DisposeAsync();
    }
}
