using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Agents.Tests.Integration.Platform;

/// <summary>
/// The ADO.NET provider configuration these tests run Orleans with: clustering, grain storage and
/// reminders on one PostgreSQL database migrated by <c>PostgresMigrator</c> (infra/migrations/005x),
/// through Npgsql. The silo host is meant to configure its providers the same way.
/// </summary>
public static class OrleansOnPostgres
{
    /// <summary>The ADO.NET invariant name of Npgsql, which the providers use to create connections.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>The name of the grain storage provider the test grains' states use.</summary>
    public const string StorageName = "postgres";

    /// <summary>The same storage with <c>DeleteStateOnClear</c>: a clear deletes the row.</summary>
    public const string DeletingStorageName = "postgres-delete-on-clear";

    public static ISiloBuilder UsePostgres(this ISiloBuilder silo, string connectionString)
    {
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(StorageName, o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(DeletingStorageName, o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
            o.DeleteStateOnClear = true;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        return silo;
    }

    public static IClientBuilder UsePostgres(this IClientBuilder client, string connectionString) =>
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });

    /// <summary>A host builder without the default configuration sources and loggers, so a test's
    /// silo depends on nothing in the environment and writes nothing to the test output.</summary>
    internal static HostApplicationBuilder EmptyHostBuilder() =>
        Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = Environments.Development });

    internal static void Identify(ClusterOptions options, string clusterId, string serviceId)
    {
        options.ClusterId = clusterId;
        options.ServiceId = serviceId;
    }
}
