using Agents.Abstractions.Workflows;

namespace Agents.Tests.Integration.Workflows;

/// <summary>Starts a run and follows its events to the end, as a client does.</summary>
internal static class WorkflowRunner
{
    public static async Task<(WorkflowRunStatus Status, IReadOnlyList<WorkflowEvent> Events)> RunAsync(IGrainFactory grains, string tenant, WorkflowDefinition definition, string? runId = null)
    {
        var grain = grains.GetGrain<IWorkflowGrain>(new WorkflowRunKey(tenant, runId ?? WorkflowRunKey.NewRunId()).ToString());
        await grain.StartAsync(definition);
        return await FollowAsync(grain);
    }

    public static async Task<(WorkflowRunStatus Status, IReadOnlyList<WorkflowEvent> Events)> FollowAsync(IWorkflowGrain grain, long after = 0)
    {
        var events = new List<WorkflowEvent>();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var next = await grain.EventsAsync(after, 500, TimeSpan.FromSeconds(5));
            events.AddRange(next);
            if (next.Count > 0) after = next[^1].Id;
            if (next.Any(e => WorkflowEventType.IsFinal(e.Type))) return (await grain.StatusAsync(), events);
        }
        throw new TimeoutException($"the run did not finish; last events: {string.Join(" | ", events.TakeLast(5).Select(e => $"{e.Type} {e.Message}"))}");
    }
}
