using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Agents.Inference.Llm;

/// <summary>
/// The clients for one configured OpenAI-compatible endpoint: chat, embeddings and structured chat,
/// sharing one concurrency gate. <see cref="Create"/> returns null when no endpoint is configured, in
/// which case the caller uses the offline models (<c>Agents.Inference.Offline</c>).
/// </summary>
public sealed class LlmEndpoint : IDisposable
{
    private LlmEndpoint(LlmEndpointOptions options, EndpointGate gate, OpenAiChatClient? chat,
        OpenAiEmbeddingGenerator? embeddings, StructuredChat? structured)
    {
        Options = options;
        Gate = gate;
        ChatClient = chat;
        EmbeddingGenerator = embeddings;
        StructuredChat = structured;
    }

    public LlmEndpointOptions Options { get; }
    public EndpointGate Gate { get; }

    /// <summary>Null when no chat model is configured.</summary>
    public IChatClient? ChatClient { get; }

    /// <summary>Null when no embedding model is configured.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; }

    /// <summary>Null when no chat model is configured.</summary>
    public IStructuredChat? StructuredChat { get; }

    /// <summary>
    /// Builds the clients, or returns null when <paramref name="options"/> names no base URL.
    /// Throws <see cref="LlmConfigurationException"/> for options that are set but unusable.
    /// </summary>
    public static LlmEndpoint? Create(LlmEndpointOptions options, ILoggerFactory? loggerFactory = null, EndpointConcurrencyRegistry? gates = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured) return null;
        options.EnsureValid();

        var logger = loggerFactory?.CreateLogger<LlmEndpoint>();
        var gate = (gates ?? EndpointConcurrencyRegistry.Shared).GetGate(options.GetEndpointUri(), options.MaxConcurrentRequests);
        if (gate.Limit != options.MaxConcurrentRequests && logger is not null)
            logger.LogWarning("Endpoint {Endpoint} already has a concurrency limit of {Limit}; {Requested} from these options is not applied",
                gate.Endpoint, gate.Limit, options.MaxConcurrentRequests);

        var executor = new LlmRequestExecutor(options, gate, loggerFactory?.CreateLogger<LlmRequestExecutor>());
        var chat = string.IsNullOrWhiteSpace(options.ChatModel) ? null : new OpenAiChatClient(options, executor);
        var embeddings = string.IsNullOrWhiteSpace(options.EmbeddingModel) ? null : new OpenAiEmbeddingGenerator(options, executor);
        var structured = chat is null ? null : new StructuredChat(chat, options, loggerFactory?.CreateLogger<StructuredChat>());
        logger?.LogInformation("LLM endpoint {Endpoint}: chat model {ChatModel}, embedding model {EmbeddingModel}, {Limit} concurrent requests",
            gate.Endpoint, options.ChatModel ?? "(none)", options.EmbeddingModel ?? "(none)", gate.Limit);
        return new LlmEndpoint(options, gate, chat, embeddings, structured);
    }

    public void Dispose()
    {
        ChatClient?.Dispose();
        EmbeddingGenerator?.Dispose();
    }
}
