using System.Text.Json;

namespace Agents.Silo.Api.Mem0;

// Mem0's platform API as its clients send and read it (docs.mem0.ai, API reference; mem0/client/main.py).
// Names are snake_case through the API's naming policy. Fields this server does not use are accepted
// and ignored where Mem0's clients send them by default; see docs/api.md for what differs.

/// <summary>One message of a Mem0 add: <c>role</c> (user, assistant, system), <c>content</c>, optional <c>name</c>.</summary>
public sealed record Mem0Message(string? Role, string? Content, string? Name);

/// <summary><c>POST /v3/memories/add/</c>.</summary>
public sealed record Mem0AddRequest
{
    public IReadOnlyList<Mem0Message>? Messages { get; init; }
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? RunId { get; init; }
    public string? AppId { get; init; }
    public string? TeamId { get; init; }
    public JsonElement? Metadata { get; init; }
    public bool? Infer { get; init; }
    public DateTimeOffset? ObservationDatetime { get; init; }
    public string? ObservationDate { get; init; }
    public long? Timestamp { get; init; }
    public string? IdempotencyKey { get; init; }
}

/// <summary>Its answer: the add is queued; <c>event_id</c> is the raw input's id (<c>GET /v1/event/{id}/</c>).</summary>
public sealed record Mem0AddResponse(Guid EventId, string Status, string Message, IReadOnlyList<Guid> MemoryIds);

/// <summary><c>POST /v3/memories/search/</c>: the scope in <c>filters</c>; top-level entity ids are refused, as Mem0 does.</summary>
public sealed record Mem0SearchRequest
{
    public string? Query { get; init; }
    public JsonElement? Filters { get; init; }
    public int TopK { get; init; } = 10;
    public JsonElement? ReferenceDate { get; init; }
    public double? Threshold { get; init; }
    public bool? ShowExpired { get; init; }
    public bool? Rerank { get; init; }
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? RunId { get; init; }
    public string? AppId { get; init; }
}

/// <summary><c>POST /v3/memories/</c>: list by <c>filters</c>, paged by <c>page</c>/<c>page_size</c> (query or body).</summary>
public sealed record Mem0ListRequest
{
    public JsonElement? Filters { get; init; }
    public int? Page { get; init; }
    public int? PageSize { get; init; }
    public bool? ShowExpired { get; init; }
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? RunId { get; init; }
    public string? AppId { get; init; }
}

/// <summary><c>PUT /v1/memories/{id}/</c>: the new <c>text</c>.</summary>
public sealed record Mem0UpdateRequest
{
    public string? Text { get; init; }
    public JsonElement? Metadata { get; init; }
    public JsonElement? ExpirationDate { get; init; }
    public long? Timestamp { get; init; }
}

/// <summary>A memory as Mem0 shows it; the run is both <c>run_id</c> (search) and <c>session_id</c> (get, list).</summary>
public sealed record Mem0Memory
{
    public Guid Id { get; init; }
    public string Memory { get; init; } = "";
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? AppId { get; init; }
    public string? RunId { get; init; }
    public string? SessionId { get; init; }
    public string? TeamId { get; init; }
    public string? Kind { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public IReadOnlyList<string> Categories { get; init; } = [];
    public double? Score { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string? ExpirationDate { get; init; }
}

/// <summary><c>{"results": [...]}</c> of a search.</summary>
public sealed record Mem0SearchResponse(IReadOnlyList<Mem0Memory> Results);

/// <summary>A page of a list: <c>count</c>, <c>next</c>, <c>previous</c>, <c>results</c>.</summary>
public sealed record Mem0Page(long Count, string? Next, string? Previous, IReadOnlyList<Mem0Memory> Results);

/// <summary>One entry of <c>GET /v1/memories/{id}/history/</c>.</summary>
public sealed record Mem0HistoryEntry
{
    public Guid Id { get; init; }
    public Guid MemoryId { get; init; }
    public IReadOnlyList<Mem0Message> Input { get; init; } = [];
    public string? OldMemory { get; init; }
    public string? NewMemory { get; init; }
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? AppId { get; init; }
    public string? SessionId { get; init; }
    public IReadOnlyList<string> Categories { get; init; } = [];
    public string Event { get; init; } = "";
    public string? Actor { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A plain message answer (<c>{"message": ...}</c>).</summary>
public sealed record Mem0Message200(string Message);

/// <summary><c>GET /v1/ping/</c>: the key is valid; org and project are the key's tenant.</summary>
public sealed record Mem0Ping(string Status, string OrgId, string ProjectId, string? UserEmail);

/// <summary><c>GET /v1/event/{id}/</c>: how an add's background processing stands.</summary>
public sealed record Mem0Event(Guid Id, string EventType, string Status, string? Error);
