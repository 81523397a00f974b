using System.Globalization;
using System.Text;
using System.Text.Json;
using Agents.Abstractions;
using Agents.Abstractions.Workflows;
using Agents.Client.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Agents.Silo.Api.Workflows;

/// <summary>
/// Workflow runs (<c>/api/v1/runs</c>): submit a definition (YAML or JSON body), a run's status and
/// result, its events as server-sent events (resumable from <c>Last-Event-ID</c>, live while it runs,
/// replayed when it is over) or as JSON pages, cancel, and the tenant's list of runs.
/// </summary>
public static class WorkflowEndpoints
{
    private static readonly string[] DefinitionTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json", "text/plain"];

    public static RouteGroupBuilder MapWorkflowEndpoints(this RouteGroupBuilder api)
    {
        var runs = api.MapGroup("/runs").WithTags("Workflows");
        runs.MapPost("/", async (HttpRequest request, TenantWorkflowService workflows, CancellationToken ct, string? id = null) =>
            {
                var type = MediaTypeHeaderValue.TryParse(request.ContentType, out var media) ? media.MediaType.Value : null;
                if (type is null || !DefinitionTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
                    return Results.Problem(statusCode: 415, title: "Unsupported Media Type",
                        detail: $"Send the workflow definition as YAML or JSON ({string.Join(", ", DefinitionTypes)}).");
                using var reader = new StreamReader(request.Body, Encoding.UTF8);
                var run = await workflows.StartRunAsync(await reader.ReadToEndAsync(ct), id, ct);
                return Results.Created($"{AgentsApi.Prefix}/runs/{run.RunId}", run);
            })
            .WithName("StartRun").WithSummary("Validate a workflow definition (YAML or JSON body) and start a run; every problem is listed at once")
            // Every media type the handler reads: routing answers 415 itself to any type not listed here.
            .Accepts<string>(DefinitionTypes[0], DefinitionTypes[1..]).Produces<RunView>(StatusCodes.Status201Created);
        runs.MapGet("/", (TenantWorkflowService workflows, CancellationToken ct, int limit = 50, string? status = null) => workflows.ListRunsAsync(limit, status, ct))
            .WithName("ListRuns").WithSummary("The tenant's runs, newest first (status: running, completed, failed, cancelled)");
        runs.MapGet("/{id}", (string id, TenantWorkflowService workflows, CancellationToken ct) => workflows.GetRunAsync(id, ct))
            .WithName("GetRun").WithSummary("A run's state; once completed, its answer and citations; once failed, the reason");
        runs.MapPost("/{id}/cancel", (string id, TenantWorkflowService workflows, CancellationToken ct) => workflows.CancelRunAsync(id, ct))
            .WithName("CancelRun").WithSummary("Stop a run after its step in progress");
        runs.MapGet("/{id}/events", StreamAsync)
            .WithName("RunEvents").WithSummary("A run's events: server-sent events from Last-Event-ID (or ?after=) until the run ends; ?format=json for one page")
            .Produces<RunEvents>(StatusCodes.Status200OK, "application/json", "text/event-stream");
        return api;
    }

    private static async Task<IResult> StreamAsync(string id, HttpContext context, TenantWorkflowService workflows, CancellationToken ct,
        long? after = null, string? format = null, int max = 500, int wait = 0)
    {
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        long from = after ?? 0;
        if (lastEventId.Length > 0 && !long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out from))
            throw new InvalidRequestException($"Last-Event-ID '{(lastEventId.Length > 40 ? lastEventId[..40] + "..." : lastEventId)}' is not an event id.");
        if (format == "json") return Results.Ok(await workflows.RunEventsAsync(id, from, max, wait, ct));
        if (format is not null) throw new InvalidRequestException($"'format' is json, or absent for server-sent events; got '{format}'.");
        if (from < 0) throw new InvalidRequestException($"'after' must not be negative; got {from}.");   // before the stream starts: a problem, not a cut stream

        var grain = workflows.Run(TenantWorkflowService.CheckRunId(id));
        await grain.StatusAsync(ct);   // an unknown run is a 404 before the stream starts
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var events = await grain.EventsAsync(from, 200, TimeSpan.FromSeconds(15), ct);
                if (events.Count == 0)
                {
                    // Over, and every event sent: the run may have ended just after the wait came back empty.
                    var status = await grain.StatusAsync(ct);
                    if (WorkflowRunState.IsFinished(status.State) && status.LastEventId <= from) break;
                    if (WorkflowRunState.IsFinished(status.State)) continue;
                    await response.WriteAsync(": heartbeat\n\n", ct);   // keeps proxies from closing an idle stream
                    await response.Body.FlushAsync(ct);
                    continue;
                }
                foreach (var e in events)
                {
                    var data = JsonSerializer.Serialize(TenantWorkflowService.ToView(e), AgentsJson.Options);
                    await response.WriteAsync($"id: {e.Id}\nevent: {e.Type}\ndata: {data}\n\n", ct);
                    from = e.Id;
                }
                await response.Body.FlushAsync(ct);
                if (events.Any(e => WorkflowEventType.IsFinal(e.Type))) break;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away: nothing to answer.
        }
        return Results.Empty;
    }
}
