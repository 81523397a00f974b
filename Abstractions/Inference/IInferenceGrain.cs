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

    [Alias("Chat")]
    Task<string> ChatAsync(ChatPrompt prompt, CancellationToken cancellationToken = default);

    [Alias("Stats")]
    Task<InferencePoolStats> StatsAsync(CancellationToken cancellationToken = default);
}
