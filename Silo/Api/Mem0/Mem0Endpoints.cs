using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Agents.Abstractions;
using Agents.Client.Api;
using Agents.Silo.Api.Auth;
using Agents.Silo.Api.Memory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Agents.Silo.Api.Mem0;

/// <summary>
/// Mem0's platform REST API over the same memory: the official Mem0 clients work unchanged against a
/// silo (host = the silo's URL, api key = an Agents key). A Mem0 "memory" is an Agents memory with the
/// same id and scope, so what one API adds the other reads.
/// </summary>
public static class Mem0Endpoints
{
    public static IEndpointRouteBuilder MapMem0Endpoints(this IEndpointRouteBuilder app)
    {
        var mem0 = app.MapGroup("").WithTags("Mem0-compatible");

        mem0.MapGet("/v1/ping/", (HttpContext http) =>
            {
                var tenant = AgentsClaims.TenantOf(http.User) ?? "";
                return new Mem0Ping("ok", tenant, tenant, null);
            })
            .WithName("Mem0Ping").WithSummary("Mem0: check the key");

        mem0.MapPost("/v3/memories/add/", async (Mem0AddRequest request, TenantMemoryService memory, CancellationToken ct) =>
            {
                ArgumentNullException.ThrowIfNull(request);
                if (request.Messages is not { Count: > 0 }) throw new InvalidRequestException("'messages' must be a non-empty list of {\"role\", \"content\"} objects.");
                var receipt = await memory.AddAsync(new AddMemoryRequest
                {
                    UserId = request.UserId, AgentId = request.AgentId, RunId = request.RunId, TeamId = Team(request.AppId, request.TeamId),
                    Messages = request.Messages.Select(m => m is null ? null! : new MessageInput(m.Content ?? "", m.Role, m.Name)).ToList(),
                    ObservedAt = ObservedAt(request), IdempotencyKey = request.IdempotencyKey,
                }, ct);
                return new Mem0AddResponse(receipt.EpisodeId, "PENDING", "Memory processing has been queued for background execution", receipt.MemoryIds);
            })
            .WithName("Mem0Add").WithSummary("Mem0: add messages (queued; event_id tracks them)");

        mem0.MapPost("/v3/memories/search/", async (Mem0SearchRequest request, TenantMemoryService memory, CancellationToken ct) =>
            {
                ArgumentNullException.ThrowIfNull(request);
                Mem0Filters.RefuseTopLevel(request.UserId, request.AgentId, request.RunId, request.AppId);
                var scope = Mem0Filters.Read(request.Filters);
                var results = await memory.SearchAsync(new SearchMemoryRequest
                {
                    UserId = scope.UserId, AgentId = scope.AgentId, RunId = scope.RunId, TeamId = scope.TeamId,
                    Query = request.Query?.Trim(), TopK = request.TopK, AsOf = ReferenceDate(request.ReferenceDate),
                }, ct);
                return new Mem0SearchResponse(results.Results.Select(m => ToMem0(m, withScore: true)).ToList());
            })
            .WithName("Mem0Search").WithSummary("Mem0: search a scope given in filters");

        mem0.MapPost("/v3/memories/", async (Mem0ListRequest request, HttpContext http, TenantMemoryService memory, CancellationToken ct,
                [FromQuery] int? page, [FromQuery(Name = "page_size")] int? pageSize) =>
            {
                ArgumentNullException.ThrowIfNull(request);
                Mem0Filters.RefuseTopLevel(request.UserId, request.AgentId, request.RunId, request.AppId);
                var scope = Mem0Filters.Read(request.Filters);
                var p = page ?? request.Page ?? 1;
                var size = pageSize ?? request.PageSize ?? 100;
                if (p is < 1 or > 100_000) throw new InvalidRequestException($"'page' must lie between 1 and 100000; got {p}.");
                if (size is < 1 or > 1000) throw new InvalidRequestException($"'page_size' must lie between 1 and 1000; got {size}.");
                var list = await memory.ListAsync(new ListMemoryRequest(scope, size, (p - 1) * size, IncludeExpired: request.ShowExpired ?? false), ct);
                var self = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/v3/memories/";
                return new Mem0Page(list.Count,
                    (long)p * size < list.Count ? $"{self}?page={p + 1}&page_size={size}" : null,
                    p > 1 ? $"{self}?page={p - 1}&page_size={size}" : null,
                    list.Results.Select(m => ToMem0(m, withScore: false)).ToList());
            })
            .WithName("Mem0List").WithSummary("Mem0: list a scope given in filters, paged");

        mem0.MapGet("/v1/memories/{memoryId}/", async (string memoryId, TenantMemoryService memory, CancellationToken ct) =>
                ToMem0(await memory.GetAsync(Id(memoryId), ct), withScore: false))
            .WithName("Mem0Get").WithSummary("Mem0: one memory");

        mem0.MapPut("/v1/memories/{memoryId}/", async (string memoryId, Mem0UpdateRequest request, TenantMemoryService memory, CancellationToken ct) =>
            {
                ArgumentNullException.ThrowIfNull(request);
                if (request.Text is null)
                    throw new InvalidRequestException("This server updates a memory's 'text' only (metadata, timestamp and expiration_date are not supported).");
                return ToMem0(await memory.UpdateAsync(Id(memoryId), new UpdateMemoryRequest(request.Text), ct), withScore: false);
            })
            .WithName("Mem0Update").WithSummary("Mem0: replace a memory's text");

        mem0.MapDelete("/v1/memories/{memoryId}/", async (string memoryId, TenantMemoryService memory, CancellationToken ct) =>
            {
                await memory.DeleteAsync(Id(memoryId), ct);
                return new Mem0Message200("Memory deleted successfully!");
            })
            .WithName("Mem0Delete").WithSummary("Mem0: delete one memory");

        mem0.MapDelete("/v1/memories/", async (TenantMemoryService memory, CancellationToken ct,
                [FromQuery(Name = "user_id")] string? userId, [FromQuery(Name = "agent_id")] string? agentId,
                [FromQuery(Name = "run_id")] string? runId, [FromQuery(Name = "app_id")] string? appId) =>
            {
                if (userId == "*" || agentId == "*" || runId == "*" || appId == "*")
                    throw new InvalidRequestException("'*' would delete across the tenant; this server deletes one scope at a time (name its ids).");
                await memory.DeleteScopeAsync(new MemoryScopeIds(userId, agentId, runId, appId), ct);
                return new Mem0Message200("Memories deleted successfully!");
            })
            .WithName("Mem0DeleteAll").WithSummary("Mem0: delete a scope's memories");

        mem0.MapGet("/v1/memories/{memoryId}/history/", async (string memoryId, TenantMemoryService memory, CancellationToken ct) =>
            {
                var id = Id(memoryId);
                var current = await memory.GetAsync(id, ct);
                var history = await memory.HistoryAsync(id, ct);
                return history.Results.Select((h, i) => new Mem0HistoryEntry
                {
                    Id = EntryId(id, i), MemoryId = id, OldMemory = h.OldContent, NewMemory = h.NewContent,
                    UserId = current.UserId, AgentId = current.AgentId, AppId = current.TeamId, SessionId = current.RunId,
                    Categories = current.Tags, Event = h.Event.ToUpperInvariant(), Actor = h.Actor, CreatedAt = h.At, UpdatedAt = h.At,
                }).ToList();
            })
            .WithName("Mem0History").WithSummary("Mem0: a memory's changes");

        mem0.MapGet("/v1/event/{eventId}/", async (string eventId, TenantMemoryService memory, CancellationToken ct) =>
            {
                var episode = await memory.GetAsync(Id(eventId), ct);
                if (episode.Kind != "episode") throw new NotFoundException($"No event {eventId}.");
                var state = episode.Metadata.GetValueOrDefault("ingest");
                var status = state switch { "done" => "SUCCEEDED", "failed" => "FAILED", _ => "PENDING" };
                return new Mem0Event(episode.Id, "ADD", status, episode.Metadata.GetValueOrDefault("ingest_error"));
            })
            .WithName("Mem0Event").WithSummary("Mem0: how an add's processing stands");
        return app;
    }

    private static Mem0Memory ToMem0(MemoryView m, bool withScore) => new()
    {
        Id = m.Id, Memory = m.Content, UserId = m.UserId, AgentId = m.AgentId, AppId = m.TeamId, RunId = m.RunId, SessionId = m.RunId,
        TeamId = m.TeamId, Kind = m.Kind, Metadata = m.Metadata, Categories = m.Tags, Score = withScore ? m.Score : null,
        CreatedAt = m.CreatedAt, UpdatedAt = m.UpdatedAt,
        ExpirationDate = m.InvalidAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    private static Guid Id(string value) =>
        Guid.TryParse(value, out var id) ? id : throw new InvalidRequestException("memory_id should be a valid UUID");

    private static string? Team(string? appId, string? teamId)
    {
        if (appId is not null && teamId is not null && appId != teamId) throw new InvalidRequestException("'app_id' and 'team_id' name the same (team) scope; they differ.");
        return teamId ?? appId;
    }

    /// <summary><c>observation_datetime</c>, else <c>observation_date</c>, else <c>timestamp</c> (Unix seconds), else now.</summary>
    private static DateTimeOffset? ObservedAt(Mem0AddRequest request)
    {
        if (request.ObservationDatetime is { } at) return at;
        if (request.ObservationDate is { } date)
            return DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
                : throw new InvalidRequestException($"'observation_date' must be YYYY-MM-DD; got '{Short(date)}'.");
        if (request.Timestamp is { } seconds)
            return seconds is >= 0 and <= 253_402_300_799 ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : throw new InvalidRequestException("'timestamp' must be Unix seconds between 1970 and 9999.");
        return null;
    }

    /// <summary><c>reference_date</c>: Unix seconds, <c>YYYY-MM-DD</c>, or an ISO 8601 date-time.</summary>
    private static DateTimeOffset? ReferenceDate(JsonElement? value)
    {
        if (value is not { } v || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var seconds) && seconds is >= 0 and <= 253_402_300_799)
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        if (v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return at;
        throw new InvalidRequestException("'reference_date' must be Unix seconds, YYYY-MM-DD or an ISO 8601 date-time.");
    }

    /// <summary>A stable id for the i-th history entry of a memory (the store numbers them by position).</summary>
    private static Guid EntryId(Guid memoryId, int index)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{memoryId:N}/{index}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    private static string Short(string value) => value.Length <= 64 ? value : value[..64] + "...";
}
