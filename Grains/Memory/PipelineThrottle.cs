using Agents.Memory.Pipelines;
using Microsoft.Extensions.Options;

namespace Agents.Grains.Memory;

/// <summary>
/// Bounds how many scopes of this silo run a pipeline job at once. Offline pipelines are pure CPU: left
/// unbounded, a burst of adds to many scopes would give every core to enrichment and starve the adds
/// themselves, which are what callers wait for. With a model endpoint the jobs mostly wait on the
/// model, so the bound is wider (the inference pool bounds the endpoint calls). At least two slots, so one
/// long job never stalls every other scope on the silo.
/// </summary>
public sealed class PipelineThrottle(IOptions<MemoryGrainOptions> options, MemoryModels models) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Slots(options.Value, models));

    public int Capacity { get; } = Slots(options.Value, models);

    public Task<bool> EnterAsync(TimeSpan timeout, CancellationToken cancellationToken) => _slots.WaitAsync(timeout, cancellationToken);

    public void Exit() => _slots.Release();

    private static int Slots(MemoryGrainOptions options, MemoryModels models) =>
        options.MaxConcurrentJobs > 0 ? options.MaxConcurrentJobs
        : models.Mode == "offline" ? Math.Max(2, Environment.ProcessorCount / 2)
        : 8 * Environment.ProcessorCount;

    public void Dispose() => _slots.Dispose();
}
