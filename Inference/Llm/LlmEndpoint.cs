using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Agents.Inference.Llm;

/// <summary>
/// One configured OpenAI-compatible endpoint as a Semantic Kernel <see cref="Kernel"/>: the OpenAI
/// connector's chat client and embedding generator, sending through the endpoint's resilient HttpClient
/// (<see cref="LlmHttpClient"/>), with the seams the rest of the product uses: <see cref="IChatClient"/>,
/// <see cref="IChatCompletionService"/>, <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> (checked,
/// <see cref="CheckedEmbeddingGenerator"/>) and <see cref="IStructuredChat"/>. <see cref="Create"/>
/// returns null when no endpoint is configured, in which case the caller uses the offline models
/// (<c>Agents.Inference.Offline</c>).
/// </summary>
public sealed class LlmEndpoint : IDisposable
{
    /// <summary>Key of the connector's own embedding generator in the kernel, under the checked one.</summary>
    private const string ConnectorKey = "Agents.Llm.Connector";

    // Local servers want no key, but the connector insists on one for embeddings; they ignore the header.
    private const string PlaceholderKey = "no-key";

    private readonly IDisposable? _owned;

    private LlmEndpoint(LlmEndpointOptions options, EndpointGate gate, Kernel kernel, IDisposable? owned)
    {
        Options = options;
        Gate = gate;
        Kernel = kernel;
        _owned = owned;
        ChatClient = kernel.Services.GetService<IChatClient>();
        ChatCompletionService = kernel.Services.GetService<IChatCompletionService>();
        EmbeddingGenerator = kernel.Services.GetService<IEmbeddingGenerator<string, Embedding<float>>>();
        StructuredChat = kernel.Services.GetService<IStructuredChat>();
    }

    public LlmEndpointOptions Options { get; }
    public EndpointGate Gate { get; }

    /// <summary>A kernel over this endpoint's services, with no plugins; <see cref="Kernel.Clone"/> it before adding some.</summary>
    public Kernel Kernel { get; }

    /// <summary>Null when no chat model is configured.</summary>
    public IChatClient? ChatClient { get; }

    /// <summary>The chat client as Semantic Kernel's chat service; null when no chat model is configured.</summary>
    public IChatCompletionService? ChatCompletionService { get; }

    /// <summary>Null when no embedding model is configured.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; }

    /// <summary>Null when no chat model is configured.</summary>
    public IStructuredChat? StructuredChat { get; }

    /// <summary>
    /// Builds the endpoint with an HttpClient of its own, or returns null when <paramref name="options"/>
    /// names no base URL. Throws <see cref="LlmConfigurationException"/> for options that are set but
    /// unusable. <paramref name="timeProvider"/> drives the retry waits and time limits (tests).
    /// </summary>
    public static LlmEndpoint? Create(LlmEndpointOptions options, ILoggerFactory? loggerFactory = null,
        EndpointConcurrencyRegistry? gates = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured) return null;
        options.EnsureValid();

        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory ?? NullLoggerFactory.Instance);
        services.AddSingleton(gates ?? EndpointConcurrencyRegistry.Shared);
        if (timeProvider is not null) services.AddSingleton(timeProvider);
        var clientName = LlmHttpClient.Register(services, options);
        var provider = services.BuildServiceProvider();
        try
        {
            return Build(options, provider.GetRequiredService<IHttpClientFactory>().CreateClient(clientName),
                provider.GetRequiredService<EndpointConcurrencyRegistry>(), loggerFactory, provider);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>Builds the endpoint over <paramref name="http"/>, an HttpClient registered by <see cref="LlmHttpClient"/>.</summary>
    internal static LlmEndpoint Build(LlmEndpointOptions options, HttpClient http, EndpointConcurrencyRegistry gates,
        ILoggerFactory? loggerFactory, IDisposable? owned)
    {
        var endpoint = options.GetEndpointUri();
        var logger = loggerFactory?.CreateLogger<LlmEndpoint>();
        var gate = gates.GetGate(endpoint, options.MaxConcurrentRequests);
        if (gate.Limit != options.MaxConcurrentRequests && logger is not null)
            logger.LogWarning("Endpoint {Endpoint} already has a concurrency limit of {Limit}; {Requested} from these options is not applied",
                gate.Endpoint, gate.Limit, options.MaxConcurrentRequests);

        var apiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? PlaceholderKey : options.ApiKey;
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton(loggerFactory ?? NullLoggerFactory.Instance);
        if (!string.IsNullOrWhiteSpace(options.ChatModel))
        {
            builder.Services.AddOpenAIChatClient(options.ChatModel, endpoint, apiKey, httpClient: http, openTelemetrySourceName: LlmTelemetry.SourceName);
            builder.Services.AddSingleton(provider => provider.GetRequiredService<IChatClient>().AsChatCompletionService(provider));
            builder.Services.AddSingleton<IStructuredChat>(provider => new StructuredChat(
                provider.GetRequiredService<IChatClient>(), options, provider.GetRequiredService<ILoggerFactory>().CreateLogger<StructuredChat>()));
        }
        if (!string.IsNullOrWhiteSpace(options.EmbeddingModel))
        {
#pragma warning disable SKEXP0010 // Experimental in Semantic Kernel; it takes the endpoint from the HttpClient's BaseAddress.
            builder.Services.AddOpenAIEmbeddingGenerator(options.EmbeddingModel, apiKey,
                dimensions: options.RequestEmbeddingDimension ? options.EmbeddingDimension : null, serviceId: ConnectorKey, httpClient: http,
                openTelemetrySourceName: LlmTelemetry.SourceName);
#pragma warning restore SKEXP0010
            builder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(provider => new CheckedEmbeddingGenerator(
                provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(ConnectorKey), options));
        }

        var result = new LlmEndpoint(options, gate, builder.Build(), owned);
        logger?.LogInformation("LLM endpoint {Endpoint}: chat model {ChatModel}, embedding model {EmbeddingModel}, {Limit} concurrent requests",
            gate.Endpoint, options.ChatModel ?? "(none)", options.EmbeddingModel ?? "(none)", gate.Limit);
        return result;
    }

    public void Dispose()
    {
        (Kernel.Services as IDisposable)?.Dispose();
        _owned?.Dispose();
    }
}
