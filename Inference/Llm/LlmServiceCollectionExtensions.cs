using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Agents.Inference.Llm;

/// <summary>Registers the Semantic Kernel services of an OpenAI-compatible endpoint when one is configured.</summary>
public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Reads <paramref name="section"/> (usually <c>configuration.GetSection("Agents:Llm")</c>). With a
    /// base URL, registers the endpoint's HttpClient (with the standard resilience handler) and
    /// <see cref="LlmEndpoint"/>; for the configured models <see cref="IChatClient"/>,
    /// <see cref="IChatCompletionService"/>, <see cref="IStructuredChat"/> and
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>, replacing any earlier registration
    /// (an offline default) so a configured endpoint wins regardless of order; and a transient
    /// <see cref="Kernel"/> over the container's services, each with a plugin collection of its own.
    /// Without a base URL, registers nothing and returns false: the offline models apply.
    /// </summary>
    public static bool AddAgentsLlm(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        var options = LlmEndpointOptionsReader.Read(section);
        if (!options.IsConfigured) return false;
        options.EnsureValid();

        services.TryAddSingleton(EndpointConcurrencyRegistry.Shared);
        services.AddSingleton(options);
        var clientName = LlmHttpClient.Register(services, options);
        services.AddSingleton(provider => LlmEndpoint.Build(options,
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(clientName),
            provider.GetRequiredService<EndpointConcurrencyRegistry>(),
            provider.GetService<ILoggerFactory>(),
            owned: null));
        if (!string.IsNullOrWhiteSpace(options.ChatModel))
        {
            services.Replace(ServiceDescriptor.Singleton<IChatClient>(provider => provider.GetRequiredService<LlmEndpoint>().ChatClient!));
            services.Replace(ServiceDescriptor.Singleton<IChatCompletionService>(provider => provider.GetRequiredService<LlmEndpoint>().ChatCompletionService!));
            services.Replace(ServiceDescriptor.Singleton<IStructuredChat>(provider => provider.GetRequiredService<LlmEndpoint>().StructuredChat!));
        }
        if (!string.IsNullOrWhiteSpace(options.EmbeddingModel))
        {
            services.Replace(ServiceDescriptor.Singleton<IEmbeddingGenerator<string, Embedding<float>>>(
                provider => provider.GetRequiredService<LlmEndpoint>().EmbeddingGenerator!));
        }
        services.TryAddTransient(provider => new Kernel(provider));
        return true;
    }
}
