using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agents.Inference.Llm;

/// <summary>
/// Registers the named HttpClient that the Semantic Kernel connector sends through for one endpoint.
/// Handlers, outermost first: <see cref="LlmErrorHandler"/> (failures become our exceptions),
/// <see cref="EmbeddingOrderHandler"/>, <see cref="BodyReadLimitHandler"/>, the standard resilience
/// handler (concurrency gate, total time limit, retries, circuit breaker, attempt time limit; see
/// <see cref="LlmResilience"/>), <see cref="AttemptCountingHandler"/>.
/// </summary>
internal static class LlmHttpClient
{
    private static int _registrations;

    /// <summary>Adds the client to <paramref name="services"/> and returns its name.</summary>
    public static string Register(IServiceCollection services, LlmEndpointOptions options)
    {
        var endpoint = options.GetEndpointUri();
        var key = EndpointConcurrencyRegistry.Key(endpoint);
        // A name per registration: two configurations of one URL keep their own settings (they still share its gate).
        var name = $"Agents.Llm {Interlocked.Increment(ref _registrations)} {key}";
        services.TryAddSingleton(EndpointConcurrencyRegistry.Shared);

        var client = services.AddHttpClient(name, http => http.BaseAddress = endpoint)
            // One long-lived client per endpoint: its connections are renewed instead of its handler, so DNS changes are seen.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(() => new LlmErrorHandler(options, key))
            .AddHttpMessageHandler(() => new EmbeddingOrderHandler())
            .AddHttpMessageHandler(() => new BodyReadLimitHandler(options.RequestTimeout, key));
        client.AddStandardResilienceHandler().Configure((resilience, provider) => LlmResilience.Configure(
            resilience,
            options,
            provider.GetRequiredService<EndpointConcurrencyRegistry>().GetGate(endpoint, options.MaxConcurrentRequests),
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetService<ILoggerFactory>()?.CreateLogger(typeof(LlmHttpClient).FullName!) ?? NullLogger.Instance));
        client.AddHttpMessageHandler(() => new AttemptCountingHandler());
        return name;
    }
}
