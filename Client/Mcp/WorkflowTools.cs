using System.ComponentModel;
using Agents.Client.Api;
using ModelContextProtocol.Server;

namespace Agents.Client.Mcp;

/// <summary>
/// The workflow tools of the Agents MCP server, within the caller's tenant: start a run from a
/// definition, and inspect runs (status and answer, events, the list). Served like
/// <see cref="MemoryTools"/>: over Streamable HTTP by the silo, over stdio by <c>agents mcp</c>.
/// </summary>
[McpServerToolType]
public sealed class WorkflowTools(IAgentsWorkflowApi workflows)
{
    [McpServerTool(Name = "start_workflow"), Description("Validates a workflow definition (YAML or JSON: name, team, task, knowledge, agents, topology, limits, on_error) and starts a run. Returns the run; follow it with workflow_events or workflow_status.")]
    public Task<RunView> StartWorkflowAsync(
        [Description("The workflow definition, YAML or JSON.")] string definition,
        [Description("A run id to use (starting it again returns the same run); default: a new one.")] string? run_id = null,
        CancellationToken cancellationToken = default) =>
        MemoryTools.Call(() => workflows.StartRunAsync(definition, run_id, cancellationToken));

    [McpServerTool(Name = "workflow_status", ReadOnly = true), Description("A run's state; once completed, its answer with citations; once failed, the reason.")]
    public Task<RunView> WorkflowStatusAsync([Description("The run id.")] string run_id, CancellationToken cancellationToken = default) =>
        MemoryTools.Call(() => workflows.GetRunAsync(run_id, cancellationToken));

    [McpServerTool(Name = "workflow_events", ReadOnly = true), Description("A run's events after an event id (steps, model calls, memory reads and writes), waiting up to wait_seconds for new ones.")]
    public Task<RunEvents> WorkflowEventsAsync(
        [Description("The run id.")] string run_id,
        [Description("Return events after this id (0: from the start).")] long after = 0,
        [Description("Seconds to wait for new events when there are none yet (0 to 20).")] int wait_seconds = 0,
        CancellationToken cancellationToken = default) =>
        MemoryTools.Call(() => workflows.RunEventsAsync(run_id, after, 200, Math.Clamp(wait_seconds, 0, 20), cancellationToken));

    [McpServerTool(Name = "list_workflows", ReadOnly = true), Description("The tenant's workflow runs, newest first.")]
    public Task<RunList> ListWorkflowsAsync(
        [Description("How many, 1 to 1000.")] int limit = 20,
        [Description("Only runs in this state: running, completed, failed, cancelled.")] string? status = null,
        CancellationToken cancellationToken = default) =>
        MemoryTools.Call(() => workflows.ListRunsAsync(limit, status, cancellationToken));
}
