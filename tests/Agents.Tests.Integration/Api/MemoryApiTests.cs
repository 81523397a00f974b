using System.Net;
using System.Text.Json;
using Agents.Client.Api;
using Agents.Inference.Offline;
using Agents.Memory.Model;
using Agents.Memory.Pipelines.Team;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;

namespace Agents.Tests.Integration.Api;

/// <summary>Every endpoint of the memory API and the key administration, through the typed client over real HTTP.</summary>
[Collection(ApiCollection.Name)]
public sealed class MemoryApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    [Fact]
    public async Task A_scope_is_added_to_searched_listed_read_updated_deleted_and_erased()
    {
        using var api = Host.Client(await Host.CreateKeyAsync("memory-api"));
        var scope = MemoryScopeIds.ForUser("alice");
        var observed = new DateTimeOffset(2025, 5, 1, 9, 0, 0, TimeSpan.Zero);
        var added = await api.AddAsync(new AddMemoryRequest
        {
            UserId = "alice",
            Messages = [new MessageInput("I moved to Lisbon in May.", Role: "user"), new MessageInput("Noted: Lisbon.", Role: "assistant")],
            ObservedAt = observed, IdempotencyKey = "add-1",
        });
        Assert.Equal(2, added.MemoryIds.Count);
        Assert.False(added.Repeated);
        var again = await api.AddAsync(new AddMemoryRequest { UserId = "alice", Messages = [new MessageInput("I moved to Lisbon in May.", Role: "user"), new MessageInput("Noted: Lisbon.", Role: "assistant")], ObservedAt = observed, IdempotencyKey = "add-1" });
        Assert.True(again.Repeated);
        Assert.Equal(added.EpisodeId, again.EpisodeId);
        await api.AddAsync(new AddMemoryRequest { UserId = "alice", RunId = "r2", Text = "My sister Ana lives in Porto.", Speaker = "alice" });

        var status = await api.PipelineAsync(scope, waitForIdle: true);
        Assert.Equal(0, status.Pending);
        await api.PipelineAsync(new MemoryScopeIds(UserId: "alice", RunId: "r2"), waitForIdle: true);

        var episode = await api.GetAsync(added.EpisodeId);
        Assert.Equal("episode", episode.Kind);
        Assert.Equal("alice", episode.UserId);
        Assert.Equal(observed, episode.ObservedAt);

        var list = await api.ListAsync(new ListMemoryRequest(scope));
        Assert.Contains(list.Results, m => m.Id == added.MemoryIds[0] && m.Content.Contains("Lisbon", StringComparison.Ordinal));
        Assert.Contains(list.Results, m => m.RunId == "r2");   // a user's scope holds their runs (Mem0's semantics)
        var runOnly = await api.ListAsync(new ListMemoryRequest(new MemoryScopeIds(UserId: "alice", RunId: "r2")));
        Assert.All(runOnly.Results, m => Assert.Equal("r2", m.RunId));
        var page = await api.ListAsync(new ListMemoryRequest(scope, Limit: 1, Offset: 1));
        Assert.Single(page.Results);
        Assert.Equal(list.Count, page.Count);
        var episodes = await api.ListAsync(new ListMemoryRequest(scope, Kinds: ["episode"]));
        Assert.All(episodes.Results, m => Assert.Equal("episode", m.Kind));

        var hits = await api.SearchAsync(new SearchMemoryRequest { UserId = "alice", Query = "Where did Alice move to?", TopK = 3 });
        Assert.InRange(hits.Results.Count, 1, 3);
        Assert.Contains(hits.Results, m => m.Content.Contains("Lisbon", StringComparison.Ordinal) && m.Score > 0);
        var notes = await api.SearchAsync(new SearchMemoryRequest { UserId = "alice", Query = "Lisbon", Kinds = ["note"] });
        Assert.All(notes.Results, m => Assert.Equal("note", m.Kind));
        var before = await api.SearchAsync(new SearchMemoryRequest { UserId = "alice", Query = "Lisbon", AsOf = observed.AddDays(-1) });
        Assert.DoesNotContain(before.Results, m => m.Id == added.MemoryIds[0]);

        var note = added.MemoryIds[0];
        var updated = await api.UpdateAsync(note, new UpdateMemoryRequest("I moved to Lisbon in May 2025."));
        Assert.Equal("I moved to Lisbon in May 2025.", updated.Content);
        Assert.True(updated.Version > 1);
        var history = await api.HistoryAsync(note);
        Assert.Equal("Update", history.Results[^1].Event);
        Assert.Equal("I moved to Lisbon in May 2025.", history.Results[^1].NewContent);

        await api.DeleteAsync(note);
        var gone = await Assert.ThrowsAsync<AgentsApiException>(() => api.GetAsync(note));
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<AgentsApiException>(() => api.DeleteAsync(note))).Status);

        var erased = await api.DeleteScopeAsync(scope);
        Assert.True(erased.Records > 0);
        Assert.Equal(0, (await api.ListAsync(new ListMemoryRequest(scope, Kinds: ["note", "fact", "entity", "episode"]))).Count);
        Assert.Equal((0, 0, 0), await fixture.CountAsync("memory-api"));
    }

    [Fact]
    public async Task A_scopes_graph_shows_its_memories_and_links_as_of_a_time()
    {
        using var api = Host.Client(await Host.CreateKeyAsync("memory-graph"));
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        foreach (var text in new[] { "Alice works at Acme in Lisbon.", "Alice's brother Bob lives in Porto and works at Acme too.", "Acme builds note-taking apps." })
            await api.AddAsync(new AddMemoryRequest { UserId = "alice", Text = text, Speaker = "alice" });
        await api.AddAsync(new AddMemoryRequest { UserId = "someone-else", Text = "Carol works at Initech." });
        var scope = MemoryScopeIds.ForUser("alice");
        await api.PipelineAsync(scope, waitForIdle: true);

        var graph = await api.GraphAsync(scope);
        Assert.False(graph.Truncated);
        Assert.NotEmpty(graph.Nodes);
        Assert.All(graph.Nodes, n => Assert.Equal("alice", n.UserId));
        Assert.All(graph.Nodes, n => Assert.Contains(n.Kind, new[] { "note", "fact", "entity" }));
        Assert.Contains(graph.Nodes, n => n.Content.Contains("Lisbon", StringComparison.Ordinal));
        Assert.DoesNotContain(graph.Nodes, n => n.Content.Contains("Initech", StringComparison.Ordinal));
        Assert.NotEmpty(graph.Links);
        var ids = graph.Nodes.Select(n => n.Id).ToHashSet();
        Assert.All(graph.Links, l => Assert.True(ids.Contains(l.From) && ids.Contains(l.To), $"link {l.Id} leaves the graph"));

        var earlier = await api.GraphAsync(scope, asOf: before);   // time travel: before anything was added
        Assert.Empty(earlier.Nodes);
        Assert.Empty(earlier.Links);
        var one = await api.GraphAsync(scope, limit: 1);
        Assert.Single(one.Nodes);
        Assert.True(one.Truncated);
        var error = await Assert.ThrowsAsync<AgentsApiException>(() => api.GraphAsync(scope, limit: 0));
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        error = await Assert.ThrowsAsync<AgentsApiException>(() => api.GraphAsync(new MemoryScopeIds()));
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
    }

    [Fact]
    public async Task A_teams_insights_and_recorded_runs_are_read_with_scores()
    {
        const string tenant = "team-api";
        using var api = Host.Client(await Host.CreateKeyAsync(tenant));
        // What a workflow records after its runs (G-Memory), written to the store the silo reads.
        var store = new PostgresMemoryStore(fixture.Database.DataSource, new MemoryStoreOptions { Dimension = 384 });
        var team = TeamMemory.Offline(store, new HashingEmbedder(new HashingEmbedderOptions { Dimensions = 384 }));
        var scope = MemoryScope.ForTeam("marketing", tenant);
        var at = DateTimeOffset.UtcNow;
        var first = await team.RecordTaskAsync(scope, new TeamTask("Find the Aurora launch date", [new AgentStep("researcher", "searched memory") { Action = "search memory for the launch" }, new AgentStep("writer", "14 March") { Action = "cite the launch note" }], true), at);
        var second = await team.RecordTaskAsync(scope, new TeamTask("Find the Aurora launch budget", [new AgentStep("researcher", "no budget found") { Action = "guess the budget" }], false), at.AddMinutes(1));
        await team.RefineInsightsAsync(scope);

        var runs = await api.RunsAsync("marketing");
        Assert.Equal([second, first], runs.Results.Select(r => r.Id));
        Assert.False(runs.Results[0].Succeeded);
        Assert.True(runs.Results[1].Succeeded);
        Assert.NotEmpty(runs.Results[1].KeySteps);
        Assert.NotNull(runs.Results[1].TrajectoryId);
        var one = await api.RunAsync("marketing", first);
        Assert.Equal("Find the Aurora launch date", one.Task);
        Assert.Single((await api.RunsAsync("marketing", limit: 1, offset: 1)).Results);

        var insights = await api.InsightsAsync("marketing");
        Assert.NotEmpty(insights.Results);
        Assert.All(insights.Results, i => Assert.True(i.Score > 0));
        Assert.Equal(insights.Results.OrderByDescending(i => i.Score).Select(i => i.Id), insights.Results.Select(i => i.Id));
        Assert.Contains(insights.Results, i => i.SupportedBy.Contains(first));

        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<AgentsApiException>(() => api.RunAsync("marketing", Guid.NewGuid()))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<AgentsApiException>(() => api.RunAsync("sales", first))).Status);
    }

    [Fact]
    public async Task Keys_are_created_and_revoked_by_the_admin_key_only()
    {
        using var http = Host.Http(ApiHost.AdminKey);
        var created = await http.PostAsync("v1/admin/keys", Json("""{"tenant":"keys-tenant"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var key = body.GetProperty("key").GetString()!;
        Assert.Equal("keys-tenant", body.GetProperty("tenant").GetString());
        var prefix = body.GetProperty("prefix").GetString()!;
        Assert.StartsWith($"agk_{prefix}_", key, StringComparison.Ordinal);

        using var tenant = Host.Http(key);
        Assert.Equal(HttpStatusCode.OK, (await tenant.GetAsync("v1/ping/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PostAsync("v1/admin/keys", Json("""{"tenant":"x"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("api/v1/memories?user_id=a")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("v1/admin/keys", Json("""{"tenant":"no spaces"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.DeleteAsync("v1/admin/keys/not-a-prefix")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("v1/admin/keys/0123456789ab")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"v1/admin/keys/{prefix}")).StatusCode);
        var revoked = await tenant.GetAsync("v1/ping/");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("application/problem+json", revoked.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"v1/admin/keys/{prefix}")).StatusCode);
        using var anonymous = Host.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("v1/admin/keys", Json("""{"tenant":"x"}"""))).StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_names_every_endpoint_and_the_reference_page_serves()
    {
        using var http = Host.Http();
        var document = JsonDocument.Parse(await http.GetStringAsync("openapi/v1.json")).RootElement.GetProperty("paths");
        string[] paths = ["/api/v1/memories", "/api/v1/memories/search", "/api/v1/memories/pipeline", "/api/v1/memories/{id}", "/api/v1/memories/{id}/history",
            "/api/v1/teams/{team}/insights", "/api/v1/teams/{team}/runs", "/api/v1/teams/{team}/runs/{id}", "/v1/admin/keys", "/v1/admin/keys/{prefix}",
            "/v1/ping", "/v3/memories/add", "/v3/memories/search", "/v3/memories", "/v1/memories/{memoryId}", "/v1/memories", "/v1/memories/{memoryId}/history", "/v1/event/{eventId}"];
        foreach (var path in paths) Assert.True(document.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        var page = await http.GetAsync("scalar/v1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
