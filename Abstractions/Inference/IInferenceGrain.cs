namespace Agents.Abstractions.Inference;

/// <summary>
/// The inference pool: stateless workers on silos with the <c>gpu</c> role that batch concurrent
/// requests (attention reads over memory banks, embeddings) and bound the concurrency of calls to the
/// model endpoints. A full queue refuses the call with <see cref="OverloadedException"/>; with no
/// silo holding the role, calls fail with <see cref="NoSiloWithRoleException"/>.
/// </summary>
[Alias("Agents.IInferenceGrain")]
public interface IInferenceGrain : IGrainWithStringKey
{
    /// <summary>The key every caller uses: the pool's workers are interchangeable.</summary>
    const string Pool = "pool";

    [Alias("Read")]
    Task<AttentionReadout> ReadAsync(AttentionQuery query, CancellationToken cancellationToken = default);

    [Alias("Embed")]
    Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);

    [Alias("Chat"), ResponseTimeout("00:10:00")]
    Task<string> ChatAsync(ChatPrompt prompt, CancellationToken cancellationToken = default);

    /// <summary>One model turn with function calling: the caller runs the functions the model asks for
    /// and sends their results in the next turn. Bounded like every chat call of the pool.</summary>
    [Alias("ChatTurn"), ResponseTimeout("00:10:00")]
    Task<ChatTurnResponse> ChatTurnAsync(ChatTurnRequest request, CancellationToken cancellationToken = default);

    /// <summary>Whether this silo's pool has a chat endpoint (false: agents answer offline).</summary>
    [Alias("HasChat")]
    Task<bool> HasChatAsync(CancellationToken cancellationToken = default);

    [Alias("Stats")]
    Task<InferencePoolStats> StatsAsync(CancellationToken cancellationToken = default);
}
