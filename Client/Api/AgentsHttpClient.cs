using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Agents.Client.Api;

/// <summary>
/// A typed client of the Agents HTTP API (<c>/api/v1</c>) for one API key, plus the operators' key
/// administration (with the admin key). Every error answer becomes an <see cref="AgentsApiException"/>
/// carrying the problem details.
/// </summary>
public sealed class AgentsHttpClient : IAgentsMemoryApi, IAgentsWorkflowApi, IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <param name="baseAddress">The API's root, e.g. <c>http://127.0.0.1:8080</c>.</param>
    /// <param name="key">The API key (a tenant's, or the admin key for <see cref="CreateKeyAsync"/>).</param>
    public AgentsHttpClient(Uri baseAddress, string key, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
        if (_http.BaseAddress is null) _http.BaseAddress = baseAddress;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", key);
    }

    // ---------------- memory ----------------

    public Task<AddMemoryResponse> AddAsync(AddMemoryRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<AddMemoryResponse>(HttpMethod.Post, "api/v1/memories", request, cancellationToken);

    public Task<AddMemoriesResponse> AddManyAsync(AddMemoriesRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<AddMemoriesResponse>(HttpMethod.Post, "api/v1/memories/batch", request, cancellationToken);

    public Task<MemoryResults> SearchAsync(SearchMemoryRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<MemoryResults>(HttpMethod.Post, "api/v1/memories/search", request, cancellationToken);

    public Task<MemoryResults> ListAsync(ListMemoryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = ScopeQuery(request.Scope);
        query.Add(("limit", request.Limit.ToString(CultureInfo.InvariantCulture)));
        query.Add(("offset", request.Offset.ToString(CultureInfo.InvariantCulture)));
        if (request.Kinds is { Count: > 0 }) query.Add(("kinds", string.Join(',', request.Kinds)));
        if (request.AsOf is { } asOf) query.Add(("as_of", asOf.ToString("O", CultureInfo.InvariantCulture)));
        if (request.IncludeExpired) query.Add(("include_expired", "true"));
        return SendAsync<MemoryResults>(HttpMethod.Get, "api/v1/memories" + Query(query), null, cancellationToken);
    }

    public Task<MemoryView> GetAsync(Guid memoryId, CancellationToken cancellationToken = default) =>
        SendAsync<MemoryView>(HttpMethod.Get, $"api/v1/memories/{memoryId}", null, cancellationToken);

    public Task<MemoryView> UpdateAsync(Guid memoryId, UpdateMemoryRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<MemoryView>(HttpMethod.Put, $"api/v1/memories/{memoryId}", request, cancellationToken);

    public Task DeleteAsync(Guid memoryId, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"api/v1/memories/{memoryId}", null, cancellationToken);

    public Task<MemoryHistory> HistoryAsync(Guid memoryId, CancellationToken cancellationToken = default) =>
        SendAsync<MemoryHistory>(HttpMethod.Get, $"api/v1/memories/{memoryId}/history", null, cancellationToken);

    public Task<ScopeErasureView> DeleteScopeAsync(MemoryScopeIds scope, CancellationToken cancellationToken = default) =>
        SendAsync<ScopeErasureView>(HttpMethod.Delete, "api/v1/memories" + Query(ScopeQuery(scope)), null, cancellationToken);

    public Task<PipelineStatusView> PipelineAsync(MemoryScopeIds scope, bool waitForIdle, CancellationToken cancellationToken = default)
    {
        var query = ScopeQuery(scope);
        if (waitForIdle) query.Add(("wait", "true"));
        return SendAsync<PipelineStatusView>(HttpMethod.Get, "api/v1/memories/pipeline" + Query(query), null, cancellationToken);
    }

    public Task<InsightResults> InsightsAsync(string teamId, bool includeRetired = false, CancellationToken cancellationToken = default) =>
        SendAsync<InsightResults>(HttpMethod.Get, $"api/v1/teams/{Segment(teamId)}/insights{(includeRetired ? "?include_retired=true" : "")}", null, cancellationToken);

    public Task<TeamRunResults> RunsAsync(string teamId, int limit = 50, int offset = 0, CancellationToken cancellationToken = default) =>
        SendAsync<TeamRunResults>(HttpMethod.Get, $"api/v1/teams/{Segment(teamId)}/runs?limit={limit}&offset={offset}", null, cancellationToken);

    public Task<TeamRunView> RunAsync(string teamId, Guid runId, CancellationToken cancellationToken = default) =>
        SendAsync<TeamRunView>(HttpMethod.Get, $"api/v1/teams/{Segment(teamId)}/runs/{runId}", null, cancellationToken);

    public Task<MemoryGraphView> GraphAsync(MemoryScopeIds scope, DateTimeOffset? asOf = null, int limit = 500, CancellationToken cancellationToken = default)
    {
        var query = ScopeQuery(scope);
        query.Add(("limit", limit.ToString(CultureInfo.InvariantCulture)));
        if (asOf is { } at) query.Add(("as_of", at.ToString("O", CultureInfo.InvariantCulture)));
        return SendAsync<MemoryGraphView>(HttpMethod.Get, "api/v1/memories/graph" + Query(query), null, cancellationToken);
    }

    // ---------------- workflows ----------------

    public async Task<RunView> StartRunAsync(string definition, string? runId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/runs" + (runId is null ? "" : Query([("id", runId)])))
        {
            Content = new StringContent(definition, Encoding.UTF8, "application/yaml"),
        };
        return await ReadAsync<RunView>(request, cancellationToken).ConfigureAwait(false);
    }

    public Task<RunView> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync<RunView>(HttpMethod.Get, $"api/v1/runs/{Segment(runId)}", null, cancellationToken);

    public Task<RunList> ListRunsAsync(int limit = 50, string? status = null, CancellationToken cancellationToken = default) =>
        SendAsync<RunList>(HttpMethod.Get, $"api/v1/runs?limit={limit}{(status is null ? "" : "&status=" + Uri.EscapeDataString(status))}", null, cancellationToken);

    public Task<RunView> CancelRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync<RunView>(HttpMethod.Post, $"api/v1/runs/{Segment(runId)}/cancel", null, cancellationToken);

    public Task<RunEvents> RunEventsAsync(string runId, long afterId = 0, int max = 500, int waitSeconds = 0, CancellationToken cancellationToken = default) =>
        SendAsync<RunEvents>(HttpMethod.Get, $"api/v1/runs/{Segment(runId)}/events?after={afterId}&max={max}&wait={waitSeconds}&format=json", null, cancellationToken);

    /// <summary>
    /// A run's events as a server-sent event stream, after <paramref name="afterId"/> (sent as
    /// Last-Event-ID), until the run ends. A dropped connection resumes from the last event received
    /// (a few tries in a row without progress, a second apart); a stream that ends early is resumed too.
    /// </summary>
    public async IAsyncEnumerable<RunEventView> StreamEventsAsync(string runId, long afterId = 0,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        const int MaxTries = 5;
        var last = afterId;
        for (var failures = 0; ; )
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/runs/{Segment(runId)}/events");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (last > 0) request.Headers.Add("Last-Event-ID", last.ToString(CultureInfo.InvariantCulture));
            HttpResponseMessage? response = null;
            IAsyncEnumerator<ServerSentEvents.Message>? messages = null;
            bool ended = false, progressed = false, dropped = false;
            try
            {
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode) await ThrowProblemAsync(response, cancellationToken).ConfigureAwait(false);
                    var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    messages = ServerSentEvents.ReadAsync(stream, cancellationToken).GetAsyncEnumerator(cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or IOException && failures < MaxTries)
                {
                    dropped = true;
                }
                while (messages is not null)
                {
                    ServerSentEvents.Message message;
                    try
                    {
                        if (!await messages.MoveNextAsync().ConfigureAwait(false)) break;
                        message = messages.Current;
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException && failures < MaxTries)
                    {
                        dropped = true;   // the connection dropped mid-stream: resume after the last event
                        break;
                    }
                    if (message.Data.Length == 0) continue;
                    var view = System.Text.Json.JsonSerializer.Deserialize<RunEventView>(message.Data, AgentsJson.Options)!;
                    if (view.Id <= last) continue;   // never twice, whatever the server resends
                    last = view.Id;
                    progressed = true;
                    yield return view;
                    if (view.IsFinal)
                    {
                        ended = true;
                        break;
                    }
                }
            }
            finally
            {
                if (messages is not null) await messages.DisposeAsync().ConfigureAwait(false);
                response?.Dispose();
            }
            if (ended) yield break;
            if (progressed) failures = 0;
            if (!dropped && !progressed)
            {
                // The stream ended with no new event: a run already over (every event before afterId) ends here.
                var run = await GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
                if (Agents.Abstractions.Workflows.WorkflowRunState.IsFinished(run.Status) && run.LastEventId <= last) yield break;
            }
            if (dropped || !progressed)
            {
                if (++failures > MaxTries) throw new HttpRequestException($"The event stream of run '{runId}' kept ending before the run did.");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // ---------------- keys (admin key) ----------------

    public Task<CreatedKey> CreateKeyAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedKey>(HttpMethod.Post, "v1/admin/keys", new CreateKeyRequest(tenant), cancellationToken);

    public Task RevokeKeyAsync(string prefix, CancellationToken cancellationToken = default) =>
        SendAsync<object>(HttpMethod.Delete, $"v1/admin/keys/{Segment(prefix)}", null, cancellationToken);

    // ---------------- plumbing ----------------

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: AgentsJson.Options);
        return await ReadAsync<T>(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> ReadAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) await ThrowProblemAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NoContent || typeof(T) == typeof(object)) return default!;
        return (await response.Content.ReadFromJsonAsync<T>(AgentsJson.Options, cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ThrowProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        {
            ApiProblem? problem = null;
            try
            {
                problem = await response.Content.ReadFromJsonAsync<ApiProblem>(AgentsJson.Options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
            {
                // Not a problem document (a proxy's page, an empty body): the status says enough.
            }
            throw new AgentsApiException(response.StatusCode, problem);
        }
    }

    private static List<(string Name, string Value)> ScopeQuery(MemoryScopeIds scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var query = new List<(string, string)>();
        if (scope.UserId is { } user) query.Add(("user_id", user));
        if (scope.AgentId is { } agent) query.Add(("agent_id", agent));
        if (scope.RunId is { } run) query.Add(("run_id", run));
        if (scope.TeamId is { } team) query.Add(("team_id", team));
        return query;
    }

    private static string Query(List<(string Name, string Value)> query)
    {
        if (query.Count == 0) return "";
        var sb = new StringBuilder("?");
        foreach (var (name, value) in query)
        {
            if (sb.Length > 1) sb.Append('&');
            sb.Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
        return sb.ToString();
    }

    private static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return Uri.EscapeDataString(value);
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
