using System.Globalization;
using System.Net.Http.Headers;
using Agents.Client.Api;
using Agents.Grains.Hosting;
using Agents.Silo.Api;
using Agents.Tests.Integration.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agents.Tests.Integration.Api;

/// <summary>
/// A serving Agents silo as <c>Silo/Program.cs -- serve</c> builds it (AgentsApi + UseAgentsCluster +
/// AddAgents), in this process, over a test database, with its HTTP API on a free loopback port.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789";

    private readonly IHost _host;

    private ApiHost(IHost host, Uri baseAddress)
    {
        _host = host;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public IServiceProvider Services => _host.Services;

    /// <param name="services">Registrations over the product's (after them), e.g. a test's models.</param>
    public static async Task<ApiHost> StartAsync(string postgres, IReadOnlyDictionary<string, string?>? configuration = null, Action<IServiceCollection>? services = null)
    {
        var cluster = $"c{Guid.NewGuid():N}";
        var httpPort = AgentsHost.FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:Postgres"] = postgres,
            ["Agents:Silo:ClusterId"] = cluster,
            ["Agents:Silo:ServiceId"] = cluster,
            ["Agents:Silo:Name"] = "api-test",
            ["Agents:Silo:Port"] = AgentsHost.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Agents:Silo:GatewayPort"] = AgentsHost.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Agents:Http:Urls"] = $"http://127.0.0.1:{httpPort}",
            ["Agents:Http:AdminKey"] = AdminKey,
        });
        if (configuration is not null) builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddAgentsApi();   // as AgentsApi.CreateBuilder does, after the test's settings
        builder.UseOrleans(silo => silo.UseAgentsCluster(builder.Configuration).AddAgents(builder.Configuration));
        services?.Invoke(builder.Services);
        var host = AgentsApi.Build(builder);
        await host.StartAsync();
        return new ApiHost(host, new Uri($"http://127.0.0.1:{httpPort}/"));
    }

    /// <summary>A new key of <paramref name="tenant"/>, made through the admin endpoint.</summary>
    public async Task<string> CreateKeyAsync(string tenant)
    {
        using var admin = new AgentsHttpClient(BaseAddress, AdminKey);
        return (await admin.CreateKeyAsync(tenant)).Key;
    }

    public AgentsHttpClient Client(string key) => new(BaseAddress, key);

    /// <summary>A raw HTTP client on the API, with <paramref name="key"/> as <c>Authorization: Token</c> when given.</summary>
    public HttpClient Http(string? key = null)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", key);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
