using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Agents.Inference.Llm;

/// <summary>
/// <see cref="IChatClient"/> over the official OpenAI client, for any OpenAI-compatible endpoint.
/// Every call goes through the endpoint's <see cref="LlmRequestExecutor"/> (concurrency gate,
/// per-attempt time limit, retries). A stream holds its gate slot until it ends and is retried only
/// until its first update arrives (after that, a retry would repeat text the caller has seen);
/// its time limit applies to the wait for each update.
/// </summary>
public sealed class OpenAiChatClient : IChatClient
{
    private readonly LlmEndpointOptions _options;
    private readonly LlmRequestExecutor _executor;
    private readonly OpenAI.OpenAIClientOptions _clientOptions;
    private readonly System.ClientModel.ApiKeyCredential _credential;
    private readonly ConcurrentDictionary<string, ChatClient> _clients = new(StringComparer.Ordinal);
    private readonly string _defaultModel;
    private readonly ChatClientMetadata _metadata;

    public OpenAiChatClient(LlmEndpointOptions options, LlmRequestExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(executor);
        if (string.IsNullOrWhiteSpace(options.ChatModel))
            throw new LlmConfigurationException($"{nameof(LlmEndpointOptions.ChatModel)} is not set: no chat model to call.");
        _options = options;
        _executor = executor;
        _clientOptions = OpenAiClientSettings.ClientOptions(options);
        _credential = OpenAiClientSettings.Credential(options);
        _defaultModel = options.ChatModel;
        _metadata = new ChatClientMetadata("openai-compatible", _clientOptions.Endpoint, _defaultModel);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var mapped = OpenAiChatMapper.ToOpenAi(messages, options);
        var client = ClientFor(options?.ModelId);
        var completion = await _executor.ExecuteAsync("chat completion", async token =>
        {
            // Fresh options per attempt: the OpenAI client writes messages and model into them.
            var result = await client.CompleteChatAsync(mapped, OpenAiChatMapper.ToOpenAi(options), token).ConfigureAwait(false);
            return result.Value;
        }, cancellationToken).ConfigureAwait(false);
        return OpenAiChatMapper.ToResponse(completion);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var mapped = OpenAiChatMapper.ToOpenAi(messages, options);
        var client = ClientFor(options?.ModelId);
        using var lease = await _executor.Gate.EnterAsync(cancellationToken).ConfigureAwait(false);

        var stream = await _executor.ExecuteWithoutGateAsync("chat stream", token => OpenStreamAsync(client, mapped, options, token, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (!stream.HasCurrent) yield break;
            do
            {
                yield return Convert(stream.Current);
            }
            while (await stream.MoveNextWithinLimitAsync(_options.RequestTimeout, _executor.Gate.Endpoint, cancellationToken).ConfigureAwait(false));
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        if (serviceType == typeof(ChatClient)) return ClientFor(null);
        if (serviceType == typeof(EndpointGate)) return _executor.Gate;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose() { }

    private ChatClient ClientFor(string? model) =>
        _clients.GetOrAdd(string.IsNullOrWhiteSpace(model) ? _defaultModel : model,
            static (name, self) => new ChatClient(name, self._credential, self._clientOptions), this);

    private static ChatResponseUpdate Convert(StreamingChatCompletionUpdate update)
    {
        var converted = OpenAiChatMapper.ToUpdate(update);
        if (OpenAiChatMapper.ToUsage(update.Usage) is { } usage) converted.Contents.Add(new UsageContent(usage));
        return converted;
    }

    // Opens the stream and waits for its first update, inside one executor attempt.
    private static async Task<ChatStream> OpenStreamAsync(ChatClient client, List<OpenAI.Chat.ChatMessage> messages, ChatOptions? options,
        CancellationToken attemptToken, CancellationToken callerToken)
    {
        var lifetime = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        var registration = attemptToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), lifetime);
        IAsyncEnumerator<StreamingChatCompletionUpdate>? enumerator = null;
        try
        {
            enumerator = client.CompleteChatStreamingAsync(messages, OpenAiChatMapper.ToOpenAi(options), lifetime.Token).GetAsyncEnumerator(lifetime.Token);
            var hasFirst = await enumerator.MoveNextAsync().ConfigureAwait(false);
            // From here the stream outlives the attempt; its own per-update limit takes over.
            await registration.DisposeAsync().ConfigureAwait(false);
            return new ChatStream(enumerator, lifetime, hasFirst);
        }
        catch
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            if (enumerator is not null) await enumerator.DisposeAsync().ConfigureAwait(false);
            lifetime.Dispose();
            throw;
        }
    }

    /// <summary>An open stream of updates with the token source that bounds it.</summary>
    private sealed class ChatStream(IAsyncEnumerator<StreamingChatCompletionUpdate> enumerator, CancellationTokenSource lifetime, bool hasCurrent) : IAsyncDisposable
    {
        public bool HasCurrent { get; private set; } = hasCurrent;
        public StreamingChatCompletionUpdate Current => enumerator.Current;

        public async ValueTask<bool> MoveNextWithinLimitAsync(TimeSpan limit, string endpoint, CancellationToken callerToken)
        {
            lifetime.CancelAfter(limit);
            try
            {
                return HasCurrent = await enumerator.MoveNextAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!callerToken.IsCancellationRequested)
            {
                throw new LlmTimeoutException($"chat stream at {endpoint} sent nothing for {limit.TotalSeconds:0.###} s.", limit, 1, e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            lifetime.Dispose();
        }
    }
}
