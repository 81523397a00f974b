using System.Diagnostics;
using Agents.Abstractions.Inference;
using Agents.Abstractions.Workflows;
using Agents.Grains.Inference;
using Microsoft.Extensions.AI;

namespace Agents.Grains.Agents;

/// <summary>
/// An <see cref="IChatClient"/> whose every model call goes through the inference pool (which bounds
/// and batches the calls to the endpoint), so an agent's Semantic Kernel runs its function-calling loop
/// locally and sends only model turns to the pool. Each call is logged for the step's events.
/// </summary>
internal sealed class PooledChatClient(IGrainFactory grains, string? model) : IChatClient
{
    public List<ModelCall> Calls { get; } = [];

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var turn = ChatTurnMapping.ToTurn(messages, options) with { Model = model ?? options?.ModelId };
        var watch = Stopwatch.StartNew();
        var answer = await grains.GetGrain<IInferenceGrain>(IInferenceGrain.Pool).ChatTurnAsync(turn, cancellationToken);
        lock (Calls) Calls.Add(new ModelCall(answer.Model, answer.PromptTokens, answer.CompletionTokens, watch.Elapsed.TotalMilliseconds, answer.ToolCalls.Select(c => c.Name).ToArray()));
        return ChatTurnMapping.ToResponse(answer);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The pool answers whole turns; a stream is that turn in one piece.
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
