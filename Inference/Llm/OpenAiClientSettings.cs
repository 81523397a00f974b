using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;

namespace Agents.Inference.Llm;

/// <summary>Builds the OpenAI client's options from ours: endpoint, key, and its own retry switched off.</summary>
internal static class OpenAiClientSettings
{
    // Local servers want no key, but the OpenAI client insists on one; they ignore the header.
    private const string PlaceholderKey = "no-key";

    public static ApiKeyCredential Credential(LlmEndpointOptions options) =>
        new(string.IsNullOrWhiteSpace(options.ApiKey) ? PlaceholderKey : options.ApiKey);

    public static OpenAIClientOptions ClientOptions(LlmEndpointOptions options) => new()
    {
        Endpoint = options.GetEndpointUri(),
        // Our LlmRequestExecutor retries; a second policy underneath would multiply attempts and hide 429s.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        // Our per-attempt limit fires first; this is only a backstop against a hung transport.
        NetworkTimeout = options.RequestTimeout + TimeSpan.FromSeconds(5),
        UserAgentApplicationId = "agents",
    };
}
