using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Agents.Client.Api;
using Agents.Inference.Offline;
using Agents.Memory.Model;
using Agents.Memory.Pipelines.Team;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using ModelContextProtocol.Client;

namespace Agents.Tests.Integration.Api;

/// <summary>
/// Two tenants with the same user, team and scope names. The second tries every endpoint with the
/// first's ids, through the HTTP API, the Mem0 API and MCP: every try is denied (404, or an empty
/// result for its own, empty scopes), nothing of the first tenant leaks into an answer, and the first
/// tenant's memory is unchanged afterwards.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class IsolationTests(WorkflowApiFixture fixture) : IClassFixture<WorkflowApiFixture>
{
    private ApiHost Host => fixture.Host;

    [Fact]
    public async Task A_tenant_reaches_nothing_of_another_through_any_face()
    {
        var ownerKey = await Host.CreateKeyAsync("owner");
        var intruderKey = await Host.CreateKeyAsync("intruder");
        using var owner = Host.Client(ownerKey);
        const string secret = "The vault code is zebra4711.";
        var added = await owner.AddAsync(new AddMemoryRequest { UserId = "alice", TeamId = "ops", Text = secret });
        await owner.PipelineAsync(new MemoryScopeIds(UserId: "alice", TeamId: "ops"), waitForIdle: true);
        var store = new PostgresMemoryStore(fixture.Database.DataSource, new MemoryStoreOptions { Dimension = 384 });
        var team = TeamMemory.Offline(store, new HashingEmbedder(new HashingEmbedderOptions { Dimensions = 384 }));
        var run = await team.RecordTaskAsync(MemoryScope.ForTeam("ops", "owner"), new TeamTask("Open the vault", [new AgentStep("a", "done") { Action = "enter zebra4711" }], true), DateTimeOffset.UtcNow);
        var ownerIds = (await owner.ListAsync(new ListMemoryRequest(new MemoryScopeIds(UserId: "alice"), Kinds: ["note", "fact", "entity", "episode"]))).Results.Select(m => m.Id)
            .Append(added.EpisodeId).Append(run).Distinct().ToList();
        Assert.True(ownerIds.Count >= 3);
        var before = await fixture.CountAsync("owner");
        var episodeBefore = await owner.GetAsync(added.EpisodeId);
        var answers = new StringBuilder();

        // The HTTP API with the owner's ids.
        using var http = Host.Http(intruderKey);
        foreach (var id in ownerIds)
        {
            await Denied(http.GetAsync($"api/v1/memories/{id}"));
            await Denied(http.PutAsync($"api/v1/memories/{id}", Json("""{"content":"overwritten"}""")));
            await Denied(http.DeleteAsync($"api/v1/memories/{id}"));
            await Denied(http.GetAsync($"api/v1/memories/{id}/history"));
            await Denied(http.GetAsync($"api/v1/teams/ops/runs/{id}"));
            // Mem0's API with the same ids.
            await Denied(http.GetAsync($"v1/memories/{id}/"));
            await Denied(http.PutAsync($"v1/memories/{id}/", Json("""{"text":"overwritten"}""")));
            await Denied(http.DeleteAsync($"v1/memories/{id}/"));
            await Denied(http.GetAsync($"v1/memories/{id}/history/"));
            await Denied(http.GetAsync($"v1/event/{id}/"));
        }
        // The same scope names read the intruder's own (empty) scopes.
        foreach (var path in new[] { "api/v1/memories?user_id=alice", "api/v1/memories?team_id=ops&kinds=note,fact,entity,episode,query,trajectory,insight", "api/v1/teams/ops/insights?include_retired=true", "api/v1/teams/ops/runs", "api/v1/memories/pipeline?user_id=alice" })
            answers.Append(await Ok(http.GetAsync(path)));
        answers.Append(await Ok(http.PostAsync("api/v1/memories/search", Json("""{"user_id":"alice","query":"vault code"}"""))));
        answers.Append(await Ok(http.PostAsync("v3/memories/search/", Json("""{"filters":{"user_id":"alice"},"query":"vault code"}"""))));
        answers.Append(await Ok(http.PostAsync("v3/memories/", Json("""{"filters":{"AND":[{"user_id":"alice"},{"run_id":"*"}]}}"""))));
        answers.Append(await Ok(http.DeleteAsync("v1/memories/?user_id=alice")));
        answers.Append(await Ok(http.DeleteAsync("api/v1/memories?team_id=ops")));

        // MCP, over both transports.
        foreach (var connect in new Func<ApiHost, string, Task<McpClient>>[] { McpTests.OverHttpAsync, McpTests.OverStdioAsync })
        {
            await using var mcp = await connect(Host, intruderKey);
            foreach (var id in ownerIds)
                Assert.True((await mcp.CallToolAsync("delete_memory", new Dictionary<string, object?> { ["memory_id"] = id.ToString() })).IsError);
            answers.Append(McpTests.Text(await mcp.CallToolAsync("search_memory", new Dictionary<string, object?> { ["query"] = "vault code", ["user_id"] = "alice" })));
            answers.Append(McpTests.Text(await mcp.CallToolAsync("list_memories", new Dictionary<string, object?> { ["team_id"] = "ops" })));
        }

        var seen = answers.ToString();
        // A code no id or address can hold by chance (a silo's generation once held "4711").
        Assert.DoesNotContain("zebra4711", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("vault", seen, StringComparison.OrdinalIgnoreCase);
        foreach (var id in ownerIds) Assert.DoesNotContain(id.ToString(), seen, StringComparison.OrdinalIgnoreCase);

        // The owner's memory is as it was.
        var after = await fixture.CountAsync("owner");
        Assert.True(before == after, $"owner rows before {before}, after {after}");
        var episode = await owner.GetAsync(added.EpisodeId);
        Assert.Equal(episodeBefore.Version, episode.Version);
        Assert.Contains(secret, episode.Content, StringComparison.Ordinal);
        Assert.Equal(run, (await owner.RunAsync("ops", run)).Id);
        using var mem0 = await Mem0Client.ConnectAsync(ownerKey, Host.BaseAddress);
        Assert.Contains(await mem0.SearchAsync("vault code", new JsonObject { ["user_id"] = "alice" }), r => r!["memory"]!.GetValue<string>().Contains("zebra4711", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tenant_reaches_no_run_of_another_and_lists_only_its_own()
    {
        var ownerKey = await Host.CreateKeyAsync("run-owner");
        var intruderKey = await Host.CreateKeyAsync("run-intruder");
        using var owner = Host.Client(ownerKey);
        var (gate, held) = WorkflowApiFixture.HeldWorkflow("ops");
        string finished, running;
        try
        {
            finished = (await owner.StartRunAsync(WorkflowApiFixture.Example("launch-brief.yaml"), "owner-done")).RunId;
            await owner.StreamEventsAsync(finished).LastAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(3));
            running = (await owner.StartRunAsync(held, "owner-running")).RunId;
            var before = await owner.GetRunAsync(running);

            var answers = new StringBuilder();
            using var http = Host.Http(intruderKey);
            foreach (var id in new[] { finished, running })
            {
                await Denied(http.GetAsync($"api/v1/runs/{id}"));
                await Denied(http.PostAsync($"api/v1/runs/{id}/cancel", null));
                await Denied(http.GetAsync($"api/v1/runs/{id}/events"));
                await Denied(http.GetAsync($"api/v1/runs/{id}/events?format=json"));
                await Denied(http.GetAsync($"api/v1/runs/{id}/events?after=1"));
                using var resume = new HttpRequestMessage(HttpMethod.Get, $"api/v1/runs/{id}/events") { Headers = { { "Last-Event-ID", "1" } } };
                await Denied(http.SendAsync(resume));
            }
            answers.Append(await Ok(http.GetAsync("api/v1/runs")));
            answers.Append(await Ok(http.GetAsync("api/v1/runs?status=running")));
            answers.Append(await Ok(http.GetAsync("api/v1/runs?status=completed&limit=1000")));
            foreach (var connect in new Func<ApiHost, string, Task<McpClient>>[] { McpTests.OverHttpAsync, McpTests.OverStdioAsync })
            {
                await using var mcp = await connect(Host, intruderKey);
                foreach (var id in new[] { finished, running })
                {
                    var status = await mcp.CallToolAsync("workflow_status", new Dictionary<string, object?> { ["run_id"] = id });
                    Assert.True(status.IsError);
                    answers.Append(McpTests.Text(status));
                    var events = await mcp.CallToolAsync("workflow_events", new Dictionary<string, object?> { ["run_id"] = id });
                    Assert.True(events.IsError);
                    answers.Append(McpTests.Text(events));
                }
                answers.Append(McpTests.Text(await mcp.CallToolAsync("list_workflows", new Dictionary<string, object?> { ["limit"] = 1000 })));
            }
            var seen = answers.ToString();
            Assert.Contains("\"runs\":[]", seen, StringComparison.Ordinal);
            Assert.DoesNotContain("Aurora", seen, StringComparison.Ordinal);
            Assert.DoesNotContain("launch-brief", seen, StringComparison.Ordinal);
            Assert.DoesNotContain("\"run_id\"", seen, StringComparison.Ordinal);

            // The intruder's own run of the same id is its own; the owner's runs are untouched.
            using var intruder = Host.Client(intruderKey);
            var own = await intruder.StartRunAsync(WorkflowApiFixture.Example("launch-brief.yaml"), "owner-done");
            Assert.Equal("running", own.Status);
            Assert.Equal(["owner-done"], (await intruder.ListRunsAsync()).Runs.Select(r => r.RunId));
            Assert.Equal(["owner-running", "owner-done"], (await owner.ListRunsAsync()).Runs.Select(r => r.RunId));
            var after = await owner.GetRunAsync(running);
            Assert.Equal(("running", before.LastEventId), (after.Status, after.LastEventId));
            Assert.Equal("completed", (await owner.GetRunAsync(finished)).Status);
            await intruder.StreamEventsAsync("owner-done").LastAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(3));
            await owner.CancelRunAsync(running);
        }
        finally
        {
            Grains.GatedEnricher.Open(gate);
        }
    }

    private static async Task Denied(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<string> Ok(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return body;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
