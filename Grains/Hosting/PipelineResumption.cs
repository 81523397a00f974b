using Agents.Abstractions.Memory;
using Agents.Grains.Memory;
using Agents.Memory.Stores;
using Microsoft.Extensions.Logging;

namespace Agents.Grains.Hosting;

/// <summary>
/// Once the silo is active, wakes the memory grain of every scope with pending pipeline work. Reminders
/// already resume scopes after a crash; this covers what reminders cannot, such as the in-memory
/// reminders of an embedded silo whose store outlived its process (a snapshot).
/// </summary>
internal sealed class PipelineResumption(IMemoryStore store, IGrainFactory grains, ILogger<PipelineResumption> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int MaxScopes = 10_000;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PipelineResumption), ServiceLifecycleStage.Active, cancellationToken =>
        {
            _ = Task.Run(() => ResumeAsync(cancellationToken), CancellationToken.None);
            return Task.CompletedTask;
        });

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var scopes = await store.ListScopesWithPendingJobsAsync(MaxScopes, cancellationToken);
            if (scopes.Count == 0) return;
            logger.LogInformation("Resuming the memory pipelines of {Count} scopes with pending work", scopes.Count);
            await Parallel.ForEachAsync(scopes, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (scope, token) =>
                await grains.GetGrain<IMemoryGrain>(scope.ToScopeRef().ToGrainKey()).PipelineStatusAsync(token));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not resume pending memory pipelines at start; their reminders or next calls will");
        }
    }
}
