using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Agents.Tests.Integration.Api;

/// <summary>
/// A Mem0 platform client written from Mem0's documentation and its Python client (mem0/client/main.py):
/// the same paths, methods, <c>Authorization: Token</c> header, snake_case bodies and query strings, and
/// the key check on construction (<c>GET /v1/ping/</c>). It knows nothing of Agents, so what passes
/// with it passes with Mem0's own clients.
/// </summary>
public sealed class Mem0Client : IDisposable
{
    private readonly HttpClient _http;

    private Mem0Client(HttpClient http) => _http = http;

    public string? OrgId { get; private set; }
    public string? ProjectId { get; private set; }

    public static async Task<Mem0Client> ConnectAsync(string apiKey, Uri host)
    {
        var http = new HttpClient { BaseAddress = host, Timeout = TimeSpan.FromSeconds(300) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", apiKey);
        http.DefaultRequestHeaders.Add("Mem0-User-ID", "0123456789abcdef0123456789abcdef");
        var client = new Mem0Client(http);
        var ping = (JsonObject)(await client.SendAsync(HttpMethod.Get, "/v1/ping/", null))!;
        client.OrgId = ping["org_id"]?.GetValue<string>();
        client.ProjectId = ping["project_id"]?.GetValue<string>();
        return client;
    }

    /// <summary><c>client.add(messages, user_id=..., ...)</c>: a string becomes one user message.</summary>
    public async Task<JsonObject> AddAsync(JsonNode messages, JsonObject? options = null)
    {
        if (messages is JsonValue text) messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text.GetValue<string>() });
        else if (messages is JsonObject single) messages = new JsonArray(single);
        var payload = new JsonObject { ["messages"] = messages };
        foreach (var (k, v) in options ?? []) payload[k] = v?.DeepClone();
        return (JsonObject)(await SendAsync(HttpMethod.Post, "/v3/memories/add/", payload))!;
    }

    /// <summary><c>client.search(query, filters=..., top_k=...)</c>.</summary>
    public async Task<JsonArray> SearchAsync(string query, JsonObject filters, int? topK = null)
    {
        var payload = new JsonObject { ["query"] = query.Trim(), ["filters"] = filters };
        if (topK is { } k) payload["top_k"] = k;
        return (JsonArray)(await SendAsync(HttpMethod.Post, "/v3/memories/search/", payload))!["results"]!;
    }

    /// <summary><c>client.get_all(filters=..., page=..., page_size=...)</c>: the paginated envelope.</summary>
    public async Task<JsonObject> GetAllAsync(JsonObject filters, int? page = null, int? pageSize = null)
    {
        var query = page is null && pageSize is null ? "" : $"?page={page ?? 1}&page_size={pageSize ?? 100}";
        return (JsonObject)(await SendAsync(HttpMethod.Post, "/v3/memories/" + query, new JsonObject { ["filters"] = filters }))!;
    }

    public async Task<JsonObject> GetAsync(string memoryId) =>
        (JsonObject)(await SendAsync(HttpMethod.Get, $"/v1/memories/{Uri.EscapeDataString(memoryId)}/", null))!;

    public async Task<JsonObject> UpdateAsync(string memoryId, string text) =>
        (JsonObject)(await SendAsync(HttpMethod.Put, $"/v1/memories/{Uri.EscapeDataString(memoryId)}/", new JsonObject { ["text"] = text }))!;

    public async Task<JsonObject> DeleteAsync(string memoryId) =>
        (JsonObject)(await SendAsync(HttpMethod.Delete, $"/v1/memories/{Uri.EscapeDataString(memoryId)}/", null))!;

    /// <summary><c>client.delete_all(user_id=...)</c>: entity ids as query parameters.</summary>
    public async Task<JsonObject> DeleteAllAsync(string? userId = null, string? agentId = null, string? runId = null, string? appId = null)
    {
        var query = string.Join('&', new[] { ("user_id", userId), ("agent_id", agentId), ("run_id", runId), ("app_id", appId) }
            .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
        return (JsonObject)(await SendAsync(HttpMethod.Delete, "/v1/memories/" + (query.Length > 0 ? "?" + query : ""), null))!;
    }

    public async Task<JsonArray> HistoryAsync(string memoryId) =>
        (JsonArray)(await SendAsync(HttpMethod.Get, $"/v1/memories/{Uri.EscapeDataString(memoryId)}/history/", null))!;

    /// <summary><c>GET /v1/event/{event_id}/</c>: the status of an add.</summary>
    public async Task<JsonObject> EventAsync(string eventId) =>
        (JsonObject)(await SendAsync(HttpMethod.Get, $"/v1/event/{Uri.EscapeDataString(eventId)}/", null))!;

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            // As the Python client's error handler: the message is the body's "detail" when there is one.
            string? detail = null;
            try { detail = JsonNode.Parse(text)?["detail"]?.GetValue<string>(); } catch (System.Text.Json.JsonException) { }
            throw new Mem0Exception((int)response.StatusCode, detail ?? text);
        }
        return JsonNode.Parse(text);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>An error answer to a Mem0 call: its status and the server's detail.</summary>
public sealed class Mem0Exception(int status, string detail) : Exception($"{status}: {detail}")
{
    public int Status { get; } = status;
    public string Detail { get; } = detail;
}
