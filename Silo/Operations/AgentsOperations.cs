using System.Reflection;
using Agents.Grains.Hosting;
using Agents.Grains.Workflows;
using Agents.Inference.Llm;
using Agents.Memory.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Diagnostics;

namespace Agents.Silo.Operations;

/// <summary>
/// What running a silo in production takes, beside what it serves: structured logs, OpenTelemetry
/// (traces, metrics, logs over OTLP), health endpoints (<c>/health/live</c>, <c>/health/ready</c>), the
/// Orleans Dashboard behind the admin key, Orleans' Kubernetes hosting, the hand-off of running work on
/// a graceful stop, and the optional model server. <see cref="AddAgentsOperations"/> on the host
/// builder, <see cref="MapAgentsOperations"/> on the built web application.
/// </summary>
public static class AgentsOperations
{
    /// <summary>Orleans' longest probe time-out here (its default: four times ProbeTimeout, 20 s).</summary>
    public static readonly TimeSpan DefaultMaxProbeTimeout = TimeSpan.FromSeconds(6);

    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string LiveTag = "live";
    private const string ReadyTag = "ready";

    /// <summary>The activity sources and meters of Agents itself.</summary>
    public static readonly string[] AgentsSources = [WorkflowTelemetry.Name, MemoryTelemetry.Name, LlmTelemetry.SourceName];

    public static IHostApplicationBuilder AddAgentsOperations(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var silo = AgentsConfiguration.Read<SiloOperationsOptions>(configuration, SiloOperationsOptions.Section);
        silo.Validate();
        var dashboard = AgentsConfiguration.Read<DashboardSettings>(configuration, DashboardSettings.Section);
        dashboard.Validate();
        builder.Services.AddOptions<SiloOperationsOptions>().Bind(configuration.GetSection(SiloOperationsOptions.Section));

        builder.AddAgentsLogging();
        OptionalModelServer.Apply(builder);
        var tracing = builder.AddAgentsTelemetry();
        builder.AddAgentsHealthChecks();
        var adminKey = configuration["Agents:Http:AdminKey"];
        var withDashboard = dashboard.Enabled && !string.IsNullOrWhiteSpace(adminKey);

        builder.UseOrleans(orleans =>
        {
            // Orleans' failure detection (Agents:Membership: ProbeTimeout, NumMissedProbesLimit, ...). Orleans
            // holds back votes against a silo whose connection delivered a message within MaxProbeTimeout x
            // NumMissedProbesLimit (20 s x 3 by default), so a silo cut off the network would stay a member
            // for a minute and the grains it held would hang that long; ours: 6 s x 3.
            orleans.Services.AddOptions<ClusterMembershipOptions>()
                .Configure(o => o.MaxProbeTimeout = DefaultMaxProbeTimeout)
                .Bind(configuration.GetSection("Agents:Membership"));
            if (tracing) orleans.AddActivityPropagation();
            if (silo.Kubernetes) orleans.UseKubernetesHosting();
            if (withDashboard) orleans.AddDashboard();
            orleans.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ShutdownHandoff>();
        });
        return builder;
    }

    /// <summary>Console logs, one line per entry: <c>simple</c> (default) or <c>json</c> (structured: the
    /// message template's values, scopes, UTC timestamps) by <c>Logging:Console:FormatterName</c>.</summary>
    public static IHostApplicationBuilder AddAgentsLogging(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole();
        builder.Services.Configure<SimpleConsoleFormatterOptions>(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Services.Configure<JsonConsoleFormatterOptions>(o => { o.IncludeScopes = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        return builder;
    }

    /// <summary>OpenTelemetry when enabled (<see cref="TelemetryOptions"/>): Agents' sources and meters,
    /// Orleans' (grain calls, activation lifecycle, storage; its meter), ASP.NET Core, HttpClient and the
    /// runtime; exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Returns whether tracing is on.</summary>
    public static bool AddAgentsTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var options = AgentsConfiguration.Read<TelemetryOptions>(configuration, TelemetryOptions.Section);
        var endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (!options.IsEnabled(endpoint)) return false;

        var serviceName = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "agents-silo";
        var instance = configuration["Agents:Silo:Name"] is { Length: > 0 } silo ? silo : Environment.MachineName;
        var version = typeof(AgentsOperations).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version, serviceInstanceId: instance))
            .WithTracing(t =>
            {
                t.AddSource(AgentsSources)
                    .AddSource(ActivitySources.ApplicationGrainActivitySourceName, ActivitySources.LifecycleActivitySourceName, ActivitySources.StorageActivitySourceName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation();
                if (options.OrleansRuntimeSpans) t.AddSource(ActivitySources.RuntimeActivitySourceName);
                if (options.DatabaseSpans) t.AddSource("Npgsql");
            })
            .WithMetrics(m => m
                .AddMeter(AgentsSources)
                .AddMeter("Microsoft.Orleans")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithLogging(configureBuilder: null, configureOptions: o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
            });
        if (!string.IsNullOrWhiteSpace(endpoint)) telemetry.UseOtlpExporter();
        return true;
    }

    /// <summary>Live: the process answers. Ready: an active member of the cluster, not stopping, with
    /// the database reachable (when the silo has one).</summary>
    public static IHostApplicationBuilder AddAgentsHealthChecks(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var checks = builder.Services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("answering"), tags: [LiveTag])
            .AddCheck<ClusterMembershipHealthCheck>("cluster", tags: [ReadyTag]);
        if (AgentsConfiguration.PostgresConnection(builder.Configuration) is not null)
            checks.AddNpgSql(sp => sp.GetRequiredService<NpgsqlDataSource>(), name: "postgres", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(3));
        return builder;
    }

    /// <summary>The health endpoints (anonymous, not rate-limited) and, with the admin key, the dashboard.</summary>
    public static IEndpointRouteBuilder MapAgentsOperations(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Map(endpoints, LivePath, LiveTag);
        Map(endpoints, ReadyPath, ReadyTag);

        var configuration = endpoints.ServiceProvider.GetRequiredService<IConfiguration>();
        var dashboard = AgentsConfiguration.Read<DashboardSettings>(configuration, DashboardSettings.Section);
        var adminKey = configuration["Agents:Http:AdminKey"];
        if (dashboard.Enabled && !string.IsNullOrWhiteSpace(adminKey))
        {
            endpoints.MapOrleansDashboard(dashboard.Path)
                .AllowAnonymous()   // the admin key is checked by the filter, which also answers browsers
                .DisableRateLimiting()
                .ExcludeFromDescription()
                .AddEndpointFilter(new AdminKeyFilter(adminKey));
        }
        return endpoints;
    }

    private static void Map(IEndpointRouteBuilder endpoints, string path, string tag) =>
        endpoints.MapHealthChecks(path, new HealthCheckOptions
            {
                Predicate = r => r.Tags.Contains(tag),
                ResponseWriter = HealthResponse.WriteAsync,
                ResultStatusCodes =
                {
                    [HealthStatus.Healthy] = StatusCodes.Status200OK,
                    [HealthStatus.Degraded] = StatusCodes.Status200OK,
                    [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
                },
            })
            .AllowAnonymous()
            .DisableRateLimiting()
            .ExcludeFromDescription();
}
