using Agents.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Agents.Tests.Integration.Grains;

/// <summary>
/// Orleans' in-process test cluster with Agents silos: the test cluster's membership and transport,
/// in-memory grain state and reminders, and <see cref="AgentsSiloBuilderExtensions.AddAgents"/> from the
/// given configuration (plus per-silo settings by silo name: <c>Silo_0</c>, <c>Silo_1</c>...).
/// </summary>
public static class AgentsTestCluster
{
    public static async Task<InProcessTestCluster> StartAsync(
        int silos,
        IReadOnlyDictionary<string, string?> configuration,
        Func<string, IReadOnlyDictionary<string, string?>>? perSilo = null,
        Action<string, IServiceCollection>? services = null)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((silo, host) =>
        {
            host.Configuration.AddInMemoryCollection(configuration);
            if (perSilo is not null) host.Configuration.AddInMemoryCollection(perSilo(silo.SiloName));
        });
        builder.ConfigureSilo((silo, siloBuilder) =>
        {
            services?.Invoke(silo.SiloName, siloBuilder.Services);
            siloBuilder.AddMemoryGrainStorageAsDefault();
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            siloBuilder.AddAgents(siloBuilder.Configuration);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
