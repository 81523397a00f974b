using Agents.Abstractions;
using Agents.Abstractions.Inference;
using Agents.Inference.Batching;
using Agents.Runtime;

namespace Agents.Grains.Inference;

/// <summary>
/// A worker of the inference pool: placed only on silos with the <c>gpu</c> role, several per silo,
/// reentrant so that concurrent calls reach the silo's <see cref="InferencePool"/> together and batch.
/// A CPU-only deployment gives its silos the role (the reader then runs SIMD on the CPU).
/// </summary>
[StatelessWorker]
[Reentrant]
[RequiresRole(Role)]
public sealed class InferenceGrain(InferencePool pool) : Grain, IInferenceGrain
{
    public const string Role = "gpu";

    public Task<AttentionReadout> ReadAsync(AttentionQuery query) => Guard(() => pool.ReadAsync(query));

    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts) => Guard(() => pool.EmbedAsync(texts));

    public Task<string> ChatAsync(ChatPrompt prompt) => Guard(() => pool.ChatAsync(prompt));

    public Task<InferencePoolStats> StatsAsync() => Task.FromResult(new InferencePoolStats(SiloName, pool.Backend, pool.Stats()));

    /// <summary>Back-pressure reaches the caller as the runtime's Overloaded rejection.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (BatcherOverloadedException e)
        {
            throw new OverloadedException(e.Message);
        }
    }
}
