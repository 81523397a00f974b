using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Agents.Inference.Llm;

/// <summary>Registers the OpenAI-compatible clients when an endpoint is configured.</summary>
public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Reads <paramref name="section"/> (usually <c>configuration.GetSection("Agents:Llm")</c>). With a
    /// base URL, registers <see cref="LlmEndpoint"/>, and for the configured models
    /// <see cref="IChatClient"/>, <see cref="IStructuredChat"/> and
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>, replacing any earlier
    /// registration (an offline default) so a configured endpoint wins regardless of order. Without a
    /// base URL, registers nothing and returns false: the offline models apply.
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
        services.AddSingleton(provider => LlmEndpoint.Create(options, provider.GetService<ILoggerFactory>(), provider.GetRequiredService<EndpointConcurrencyRegistry>())!);
        if (!string.IsNullOrWhiteSpace(options.ChatModel))
        {
            services.Replace(ServiceDescriptor.Singleton<IChatClient>(provider => provider.GetRequiredService<LlmEndpoint>().ChatClient!));
            services.Replace(ServiceDescriptor.Singleton<IStructuredChat>(provider => provider.GetRequiredService<LlmEndpoint>().StructuredChat!));
        }
        if (!string.IsNullOrWhiteSpace(options.EmbeddingModel))
        {
            services.Replace(ServiceDescriptor.Singleton<IEmbeddingGenerator<string, Embedding<float>>>(
                provider => provider.GetRequiredService<LlmEndpoint>().EmbeddingGenerator!));
        }
        return true;
    }
}
