namespace Agents.Abstractions.Inference;

/// <summary>
/// The inference pool: stateless workers on silos with the <c>gpu</c> role that batch concurrent
/// requests (attention reads over memory banks, embeddings) and bound the concurrency of calls to the
/// model endpoints. A full queue rejects the call with <see cref="OverloadedException"/> (as grain code's
/// exceptions do, it reaches the caller as a <see cref="RemoteGrainException"/> naming that type).
/// </summary>
public interface IInferenceGrain : IGrainWithStringKey
{
    Task<AttentionReadout> ReadAsync(AttentionQuery query);

    Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts);

    Task<string> ChatAsync(ChatPrompt prompt);

    Task<InferencePoolStats> StatsAsync();
}
