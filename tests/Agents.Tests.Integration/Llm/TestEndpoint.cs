using Agents.Inference.Llm;

namespace Agents.Tests.Integration.Llm;

/// <summary>Endpoint options pointed at a scripted server, with short back-off so retries cost little.</summary>
internal static class TestEndpoint
{
    public static LlmEndpointOptions Options(ScriptedOpenAiServer server, Action<LlmEndpointOptions>? configure = null)
    {
        var options = new LlmEndpointOptions
        {
            BaseUrl = server.BaseUrl.ToString(),
            ApiKey = "test-key",
            ChatModel = "scripted-chat",
            EmbeddingModel = "scripted-embed",
            RequestTimeout = TimeSpan.FromSeconds(10),
            MaxRetries = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            MaxConcurrentRequests = 4,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A new endpoint with its own gate registry, so tests do not share limits.</summary>
    public static LlmEndpoint Create(ScriptedOpenAiServer server, Action<LlmEndpointOptions>? configure = null, EndpointConcurrencyRegistry? gates = null) =>
        LlmEndpoint.Create(Options(server, configure), gates: gates ?? new EndpointConcurrencyRegistry())!;
}
