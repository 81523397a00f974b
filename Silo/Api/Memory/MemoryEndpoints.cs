using Agents.Abstractions;
using Agents.Client.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Agents.Silo.Api.Memory;

/// <summary>The memory API, per scope (<c>/api/v1/memories</c>) and per team (<c>/api/v1/teams/{team}</c>).
/// Scopes are named by <c>user_id</c>, <c>agent_id</c>, <c>run_id</c> and <c>team_id</c> within the key's tenant.</summary>
public static class MemoryEndpoints
{
    public static RouteGroupBuilder MapMemoryEndpoints(this RouteGroupBuilder api)
    {
        var memories = api.MapGroup("/memories").WithTags("Memory");
        memories.MapPost("/", async (AddMemoryRequest request, TenantMemoryService memory, CancellationToken ct) =>
                Results.Accepted(value: await memory.AddAsync(request, ct)))
            .WithName("AddMemory").WithSummary("Add messages or text to a scope (durable on return; enrichment follows in the background)")
            .Produces<AddMemoryResponse>(StatusCodes.Status202Accepted);
        memories.MapPost("/batch", async (AddMemoriesRequest request, TenantMemoryService memory, CancellationToken ct) =>
                Results.Accepted(value: await memory.AddManyAsync(request, ct)))
            .WithName("AddMemories").WithSummary("Bulk ingest: up to 1,000 adds, all checked first, each scope's stored in one transaction (COPY on PostgreSQL)")
            .Produces<AddMemoriesResponse>(StatusCodes.Status202Accepted);
        memories.MapPost("/search", (SearchMemoryRequest request, TenantMemoryService memory, CancellationToken ct) => memory.SearchAsync(request, ct))
            .WithName("SearchMemory").WithSummary("Hybrid search of a scope: query, tags, kinds, top-k, as-of");
        memories.MapGet("/", ([AsParameters] ScopeQuery scope, TenantMemoryService memory, CancellationToken ct,
                int limit = 100, int offset = 0, string? kinds = null, DateTimeOffset? as_of = null, bool include_expired = false) =>
                memory.ListAsync(new ListMemoryRequest(scope.Ids, limit, offset, SplitKinds(kinds), as_of, include_expired), ct))
            .WithName("ListMemories").WithSummary("A page of a scope's memories, oldest first (default kinds: note, fact, entity)");
        memories.MapDelete("/", ([AsParameters] ScopeQuery scope, TenantMemoryService memory, CancellationToken ct) => memory.DeleteScopeAsync(scope.Ids, ct))
            .WithName("DeleteScope").WithSummary("Delete everything in a scope: memories, embeddings, edges, history, pending work");
        memories.MapGet("/pipeline", ([AsParameters] ScopeQuery scope, TenantMemoryService memory, CancellationToken ct, bool wait = false) =>
                memory.PipelineAsync(scope.Ids, wait, ct))
            .WithName("PipelineStatus").WithSummary("A scope's background pipeline; wait=true returns once it is idle (bounded)");
        memories.MapGet("/graph", ([AsParameters] ScopeQuery scope, TenantMemoryService memory, CancellationToken ct, DateTimeOffset? as_of = null, int limit = 500) =>
                memory.GraphAsync(scope.Ids, as_of, limit, ct))
            .WithName("MemoryGraph").WithSummary("A scope's notes, facts and entities and the links among them, as at as_of (default now)");
        memories.MapGet("/{id}", (string id, TenantMemoryService memory, CancellationToken ct) => memory.GetAsync(MemoryId(id), ct))
            .WithName("GetMemory").WithSummary("One memory of the tenant, by id");
        memories.MapPut("/{id}", (string id, UpdateMemoryRequest request, TenantMemoryService memory, CancellationToken ct) => memory.UpdateAsync(MemoryId(id), request, ct))
            .WithName("UpdateMemory").WithSummary("Replace a memory's content (re-embedded, one history entry)");
        memories.MapDelete("/{id}", async (string id, TenantMemoryService memory, CancellationToken ct) =>
            {
                await memory.DeleteAsync(MemoryId(id), ct);
                return Results.NoContent();
            })
            .WithName("DeleteMemory").WithSummary("Delete one memory and its edges").Produces(StatusCodes.Status204NoContent);
        memories.MapGet("/{id}/history", (string id, TenantMemoryService memory, CancellationToken ct) => memory.HistoryAsync(MemoryId(id), ct))
            .WithName("MemoryHistory").WithSummary("Every change of a memory, oldest first");

        var teams = api.MapGroup("/teams/{team}").WithTags("Team memory");
        teams.MapGet("/insights", (string team, TenantMemoryService memory, CancellationToken ct, bool include_retired = false) =>
                memory.InsightsAsync(team, include_retired, ct))
            .WithName("TeamInsights").WithSummary("The team's G-Memory insights with their scores, best first");
        teams.MapGet("/runs", (string team, TenantMemoryService memory, CancellationToken ct, int limit = 50, int offset = 0) =>
                memory.RunsAsync(team, limit, offset, ct))
            .WithName("TeamRuns").WithSummary("The runs the team recorded (task, outcome, key steps, similar runs), newest first");
        teams.MapGet("/runs/{id}", (string team, string id, TenantMemoryService memory, CancellationToken ct) => memory.RunAsync(team, MemoryId(id), ct))
            .WithName("TeamRun").WithSummary("One recorded run of the team");
        return api;
    }

    /// <summary>A memory id from a route: a UUID, else a 400 that says so.</summary>
    public static Guid MemoryId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw new InvalidRequestException($"'{Shorten(id)}' is not a memory id (a UUID).");

    private static IReadOnlyList<string>? SplitKinds(string? kinds) =>
        string.IsNullOrWhiteSpace(kinds) ? null : kinds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "...";
}
