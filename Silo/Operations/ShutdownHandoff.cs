using Agents.Abstractions.Memory;
using Agents.Abstractions.Workflows;
using Agents.Grains.Memory;
using Agents.Grains.Workflows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Core.Internal;
using Orleans.Runtime;
using Orleans.Serialization.TypeSystem;

namespace Agents.Silo.Operations;

/// <summary>
/// On a graceful stop, before Orleans deactivates what this silo hosts: the running workflow runs and
/// the memory scopes with pipeline work left are migrated to other silos (Orleans' MigrateOnIdle), where
/// they activate at once and go on from their stored state. Without this they would wait for their
/// reminder (a minute) or the next call. The rest deactivates as usual; the next call activates it
/// elsewhere. Runs at the lifecycle stage where this silo leaves the membership (ShuttingDown), so
/// placement no longer picks it.
/// </summary>
internal sealed class ShutdownHandoff(
    IGrainFactory grains,
    ILocalSiloDetails local,
    ISiloStatusOracle oracle,
    IOptions<SiloOperationsOptions> options,
    ILogger<ShutdownHandoff> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly string WorkflowType = RuntimeTypeNameFormatter.Format(typeof(WorkflowGrain));
    private static readonly string MemoryType = RuntimeTypeNameFormatter.Format(typeof(MemoryGrain));

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ShutdownHandoff), ServiceLifecycleStage.BecomeActive, _ => Task.CompletedTask, StopAsync);

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.HandoffOnShutdown) return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.HandoffTimeout);
        try
        {
            // Membership marks this silo ShuttingDown in the same stage; wait for it (briefly) so that
            // placement picks another silo.
            for (var i = 0; i < 50 && oracle.CurrentStatus == SiloStatus.Active; i++) await Task.Delay(100, timeout.Token);
            if (oracle.GetApproximateSiloStatuses(onlyActive: true).Keys.All(s => s.Equals(local.SiloAddress)))
            {
                logger.LogInformation("No other active silo to hand activations to");
                return;
            }
            var management = grains.GetGrain<IManagementGrain>(0);
            var here = await management.GetDetailedGrainStatistics([WorkflowType, MemoryType], [local.SiloAddress]);
            var moved = 0;
            await Parallel.ForEachAsync(here, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = timeout.Token }, async (grain, token) =>
            {
                if (await WorthMovingAsync(grain, token))
                {
                    await grains.GetGrain(grain.GrainId).Cast<IGrainManagementExtension>().MigrateOnIdle();
                    Interlocked.Increment(ref moved);
                }
            });
            logger.LogInformation("Handed {Moved} of {Count} workflow runs and memory scopes to other silos", moved, here.Length);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Hand-off cut short after {Timeout}; the rest resumes by reminder or on its next call", options.Value.HandoffTimeout);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Hand-off failed; activations resume by reminder or on their next call");
        }
    }

    /// <summary>A run that is going on, or a scope with pipeline work left; the rest may just deactivate.</summary>
    private async Task<bool> WorthMovingAsync(DetailedGrainStatistic grain, CancellationToken cancellationToken)
    {
        try
        {
            var key = grain.GrainId.Key.ToString()!;
            if (grain.GrainType == WorkflowType)
                return (await grains.GetGrain<IWorkflowGrain>(key).StatusAsync(cancellationToken)).State == WorkflowRunState.Running;
            return (await grains.GetGrain<IMemoryGrain>(key).PipelineStatusAsync(cancellationToken)).Pending > 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;   // never started, or failing: nothing worth moving
        }
    }
}
