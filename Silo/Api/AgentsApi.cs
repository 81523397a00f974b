using System.Threading.RateLimiting;
using Agents.Client.Api;
using Agents.Client.Mcp;
using Agents.Grains.Hosting;
using Agents.Silo.Api.Admin;
using Agents.Silo.Api.Auth;
using Agents.Silo.Api.Errors;
using Agents.Silo.Api.Mem0;
using Agents.Silo.Api.Memory;
using Agents.Silo.Api.Workflows;
using Agents.Silo.WebConsole;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace Agents.Silo.Api;

/// <summary>
/// The service face of a silo: the HTTP API (<c>/api/v1</c>), Mem0's platform API, key administration
/// (<c>/v1/admin</c>), MCP (<c>/mcp</c>), the OpenAPI document (<c>/openapi/v1.json</c>), its
/// reference page (<c>/scalar</c>) and the web console (<c>/</c>). Every silo that serves is a gateway: requests become grain calls
/// through the silo's own <see cref="IGrainFactory"/>. Authentication is the API key; each key has its
/// own rate limit; errors are problem details.
/// </summary>
public static class AgentsApi
{
    /// <summary>Route group of the Agents API; workflows and later parts map under it too.</summary>
    public const string Prefix = "/api/v1";

    /// <summary>A web host builder for a serving silo, listening on <c>Agents:Http:Urls</c>, with the API's services.
    /// Add Orleans (<c>UseOrleans</c>) to it as to any host, then <see cref="Build"/>.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        builder.AddAgentsApi();
        return builder;
    }

    /// <summary>The API's services on a web host builder (options from <c>Agents:Http</c>, validated now).</summary>
    public static WebApplicationBuilder AddAgentsApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var http = AgentsConfiguration.Read<AgentsHttpOptions>(builder.Configuration, AgentsHttpOptions.Section);
        http.Validate();
        builder.WebHost.UseUrls(http.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = http.MaxRequestBytes);

        var services = builder.Services;
        services.AddOptions<AgentsHttpOptions>().Bind(builder.Configuration.GetSection(AgentsHttpOptions.Section));
        services.Configure<JsonOptions>(o => AgentsJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);   // bad bodies and parameters reach the problem mapping with their reason
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddHttpContextAccessor();
        services.AddOpenApi();

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AgentsClaims.TenantPolicy, p => p.RequireClaim(AgentsClaims.Tenant))
            .AddPolicy(AgentsClaims.AdminPolicy, p => p.RequireRole(AgentsClaims.AdminRole));

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Title = "Too Many Requests", Detail = "This key's rate limit is reached; retry after a second.", Type = "https://httpstatuses.io/429" },
                });
            };
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<AgentsHttpOptions>>().Value;
                // Per key; requests without a valid key share one bucket per client address.
                var partition = AgentsClaims.KeyOf(context.User) ?? "anonymous:" + context.Connection.RemoteIpAddress;
                // Refilled every 100 ms (smoothly) when the rate allows it, else once a second.
                var smooth = options.RateLimitPerSecond >= 10;
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RateLimitBurst,
                    TokensPerPeriod = smooth ? options.RateLimitPerSecond / 10 : options.RateLimitPerSecond,
                    ReplenishmentPeriod = smooth ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });

        services.AddScoped(sp =>
        {
            var user = sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User;
            var tenant = AgentsClaims.TenantOf(user) ?? throw new UnauthorizedAccessException("No tenant: the request carries no tenant's API key.");
            return new TenantMemoryService(sp.GetRequiredService<IGrainFactory>(), tenant, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOptions<AgentsHttpOptions>>().Value.MaxWait);
        });
        services.AddScoped<IAgentsMemoryApi>(sp => sp.GetRequiredService<TenantMemoryService>());
        services.AddScoped(sp =>
        {
            var user = sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User;
            var tenant = AgentsClaims.TenantOf(user) ?? throw new UnauthorizedAccessException("No tenant: the request carries no tenant's API key.");
            return new TenantWorkflowService(sp.GetRequiredService<IGrainFactory>(), tenant, sp.GetRequiredService<IOptions<AgentsHttpOptions>>().Value.MaxWait);
        });
        services.AddScoped<IAgentsWorkflowApi>(sp => sp.GetRequiredService<TenantWorkflowService>());
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "agents", Version = "1.0" })
            .WithHttpTransport(o => o.Stateless = true)   // any silo answers any request: no session affinity
            .WithTools<MemoryTools>(AgentsJson.Options)
            .WithTools<WorkflowTools>(AgentsJson.Options);
        return builder;
    }

    /// <summary>The API's middleware and endpoints on a built web application.</summary>
    public static WebApplication MapAgentsApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();   // an error answered without a body (404 route, 405...) still gets a problem document
        app.UseWebConsole();        // the console's public files at / (Silo/WebConsole), ahead of the key check
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();

        app.MapGroup(Prefix).RequireAuthorization(AgentsClaims.TenantPolicy).MapMemoryEndpoints().MapWorkflowEndpoints();
        app.MapGroup("/v1/admin").RequireAuthorization(AgentsClaims.AdminPolicy).WithTags("Keys").MapKeyEndpoints();
        app.MapGroup("").RequireAuthorization(AgentsClaims.TenantPolicy).MapMem0Endpoints();
        app.MapMcp("/mcp").RequireAuthorization(AgentsClaims.TenantPolicy);
        return app;
    }

    /// <summary>The host to run: a serving silo's web application with the API mapped, or (no web
    /// builder: the main job) the plain host.</summary>
    public static IHost Build(IHostApplicationBuilder builder) => builder switch
    {
        WebApplicationBuilder web => web.Build().MapAgentsApi(),
        HostApplicationBuilder host => host.Build(),
        _ => throw new ArgumentException($"Unsupported host builder {builder.GetType().Name}.", nameof(builder)),
    };
}
