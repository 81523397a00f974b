using Agents.Inference.Llm;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Team;
using Agents.Memory.Retrieval;
using Agents.Memory.Stores;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Agents.Memory.Engine;

/// <summary>DI registration of the memory engine.</summary>
public static class MemoryEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MemoryModels"/>, a singleton <see cref="MemoryEngine"/> and a singleton <see cref="TeamMemory"/> (G-Memory). The mode follows
    /// configuration: LLM mode when an <see cref="IStructuredChat"/> is registered (an endpoint is
    /// configured), offline mode otherwise. Needs an <see cref="IMemoryStore"/> and an
    /// <see cref="IEmbeddingGenerator{String, Embedding}"/>; uses an <see cref="IMemoryRetriever"/> when
    /// one is registered. The host starts and stops the engine (<see cref="MemoryEngine.StartAsync"/>).
    /// </summary>
    public static IServiceCollection AddMemoryEngine(this IServiceCollection services, Action<MemoryEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MemoryEngineOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(static sp => MemoryModels.For(sp.GetService<IStructuredChat>()));
        services.TryAddSingleton(static sp => new MemoryEngine(
            sp.GetRequiredService<IMemoryStore>(),
            sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetRequiredService<MemoryModels>(),
            sp.GetRequiredService<IOptions<MemoryEngineOptions>>().Value,
            sp.GetService<IMemoryRetriever>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(static sp =>
        {
            var models = sp.GetRequiredService<MemoryModels>();
            return new TeamMemory(sp.GetRequiredService<IMemoryStore>(), sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
                models.TaskCondenser, models.InsightRefiner, sp.GetService<IOptions<TeamMemoryOptions>>()?.Value, sp.GetService<TimeProvider>());
        });
        return services;
    }
}
