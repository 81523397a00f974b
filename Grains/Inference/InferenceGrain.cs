using Agents.Abstractions.Inference;
using Agents.Grains.Placement;
using Orleans.Concurrency;

namespace Agents.Grains.Inference;

/// <summary>
/// A worker of the inference pool: placed only on silos with the <c>gpu</c> role, several per silo,
/// reentrant so that concurrent calls reach the silo's <see cref="InferencePool"/> together and batch.
/// A CPU-only deployment gives its silos the role (the reader then runs SIMD on the CPU).
/// </summary>
[StatelessWorker]
[Reentrant]
[SiloRolePlacementFilter(SiloRoles.Gpu)]
public sealed class InferenceGrain(InferencePool pool) : Grain, IInferenceGrain
{
    public Task<AttentionReadout> ReadAsync(AttentionQuery query, CancellationToken cancellationToken = default) => pool.ReadAsync(query, cancellationToken);

    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) => pool.EmbedAsync(texts, cancellationToken);

    public Task<string> ChatAsync(ChatPrompt prompt, CancellationToken cancellationToken = default) => pool.ChatAsync(prompt, cancellationToken);

    public Task<ChatTurnResponse> ChatTurnAsync(ChatTurnRequest request, CancellationToken cancellationToken = default) => pool.ChatTurnAsync(request, cancellationToken);

    public Task<bool> HasChatAsync(CancellationToken cancellationToken = default) => Task.FromResult(pool.HasChat);

    public Task<InferencePoolStats> StatsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new InferencePoolStats(RuntimeIdentity, pool.Backend, pool.Stats()));
}
