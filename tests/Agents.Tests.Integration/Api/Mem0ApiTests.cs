using System.Text.Json.Nodes;
using Agents.Client.Api;

namespace Agents.Tests.Integration.Api;

/// <summary>Mem0's platform API, driven by a Mem0 client written from Mem0's documentation.</summary>
[Collection(ApiCollection.Name)]
public sealed class Mem0ApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    [Fact]
    public async Task A_Mem0_client_adds_searches_lists_reads_updates_and_deletes()
    {
        var key = await Host.CreateKeyAsync("mem0-tenant");
        using var mem0 = await Mem0Client.ConnectAsync(key, Host.BaseAddress);
        Assert.Equal("mem0-tenant", mem0.ProjectId);

        var added = await mem0.AddAsync(new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "I just moved to San Francisco from New York." },
                new JsonObject { ["role"] = "assistant", ["content"] = "Got it, I'll update your location." }),
            new JsonObject { ["user_id"] = "alex", ["metadata"] = new JsonObject { ["source"] = "onboarding" }, ["observation_date"] = "2025-03-01" });
        Assert.Equal("PENDING", added["status"]!.GetValue<string>());
        var eventId = added["event_id"]!.GetValue<string>();
        await mem0.AddAsync(JsonValue.Create("I prefer vegetarian restaurants.")!, new JsonObject { ["user_id"] = "alex", ["run_id"] = "trip" });
        using (var api = Host.Client(key))
        {
            await api.PipelineAsync(MemoryScopeIds.ForUser("alex"), waitForIdle: true);
            await api.PipelineAsync(new MemoryScopeIds(UserId: "alex", RunId: "trip"), waitForIdle: true);
        }
        Assert.Equal("SUCCEEDED", (await mem0.EventAsync(eventId))["status"]!.GetValue<string>());

        var results = await mem0.SearchAsync("Where does the user live?", new JsonObject { ["user_id"] = "alex" }, topK: 5);
        Assert.NotEmpty(results);
        var first = (JsonObject)results[0]!;
        foreach (var field in new[] { "id", "memory", "user_id", "score", "created_at", "updated_at", "categories" }) Assert.True(first.ContainsKey(field), field);
        Assert.Contains(results, r => r!["memory"]!.GetValue<string>().Contains("San Francisco", StringComparison.Ordinal));
        var wildcard = await mem0.SearchAsync("vegetarian", new JsonObject { ["AND"] = new JsonArray(new JsonObject { ["user_id"] = "alex" }, new JsonObject { ["run_id"] = "*" }) });
        Assert.Contains(wildcard, r => r!["run_id"]?.GetValue<string>() == "trip");

        var all = await mem0.GetAllAsync(new JsonObject { ["user_id"] = "alex" });
        var count = all["count"]!.GetValue<long>();
        Assert.True(count >= 2);
        Assert.Equal(count, all["results"]!.AsArray().Count);
        Assert.Null(all["next"]);
        var page1 = await mem0.GetAllAsync(new JsonObject { ["user_id"] = "alex" }, page: 1, pageSize: 1);
        Assert.Single(page1["results"]!.AsArray());
        Assert.NotNull(page1["next"]);
        var run = await mem0.GetAllAsync(new JsonObject { ["user_id"] = "alex", ["run_id"] = "trip" });
        Assert.All(run["results"]!.AsArray(), m => Assert.Equal("trip", m!["session_id"]!.GetValue<string>()));

        var id = all["results"]![0]!["id"]!.GetValue<string>();
        var one = await mem0.GetAsync(id);
        Assert.Equal(id, one["id"]!.GetValue<string>());
        Assert.Equal("alex", one["user_id"]!.GetValue<string>());
        var updated = await mem0.UpdateAsync(id, "Lives in San Francisco.");
        Assert.Equal("Lives in San Francisco.", updated["memory"]!.GetValue<string>());
        var history = await mem0.HistoryAsync(id);
        Assert.Equal("UPDATE", history[^1]!["event"]!.GetValue<string>());
        Assert.Equal("Lives in San Francisco.", history[^1]!["new_memory"]!.GetValue<string>());
        Assert.Equal(id, history[^1]!["memory_id"]!.GetValue<string>());

        Assert.Equal("Memory deleted successfully!", (await mem0.DeleteAsync(id))["message"]!.GetValue<string>());
        Assert.Equal(404, (await Assert.ThrowsAsync<Mem0Exception>(() => mem0.GetAsync(id))).Status);
        Assert.Equal(400, (await Assert.ThrowsAsync<Mem0Exception>(() => mem0.GetAsync("mem_123"))).Status);

        await mem0.DeleteAllAsync(userId: "alex");
        Assert.Equal(0, (await mem0.GetAllAsync(new JsonObject { ["user_id"] = "alex" }))["count"]!.GetValue<long>());
        Assert.Equal(400, (await Assert.ThrowsAsync<Mem0Exception>(() => mem0.DeleteAllAsync(userId: "*"))).Status);
        Assert.Equal(400, (await Assert.ThrowsAsync<Mem0Exception>(() => mem0.DeleteAllAsync())).Status);
    }

    [Fact]
    public async Task What_one_API_adds_the_other_reads_in_the_same_scope()
    {
        var key = await Host.CreateKeyAsync("both-apis");
        using var mem0 = await Mem0Client.ConnectAsync(key, Host.BaseAddress);
        using var api = Host.Client(key);

        var viaMem0 = await mem0.AddAsync(JsonValue.Create("My favourite colour is teal.")!, new JsonObject { ["user_id"] = "sam", ["app_id"] = "studio" });
        var viaApi = await api.AddAsync(new AddMemoryRequest { UserId = "sam", TeamId = "studio", Text = "I play the cello on Sundays." });
        await api.PipelineAsync(new MemoryScopeIds(UserId: "sam", TeamId: "studio"), waitForIdle: true);

        var episode = await api.GetAsync(Guid.Parse(viaMem0["event_id"]!.GetValue<string>()));
        Assert.Equal("sam", episode.UserId);
        Assert.Equal("studio", episode.TeamId);   // Mem0's app_id is the team scope
        var listed = await api.ListAsync(new ListMemoryRequest(new MemoryScopeIds(UserId: "sam")));
        Assert.Contains(listed.Results, m => m.Content.Contains("teal", StringComparison.Ordinal));

        var found = await mem0.SearchAsync("cello", new JsonObject { ["user_id"] = "sam", ["app_id"] = "studio" });
        var cello = found.First(r => r!["memory"]!.GetValue<string>().Contains("cello", StringComparison.Ordinal))!;
        Assert.Contains(Guid.Parse(cello["id"]!.GetValue<string>()), viaApi.MemoryIds.Concat(listed.Results.Select(m => m.Id)));
        var same = await api.GetAsync(Guid.Parse(cello["id"]!.GetValue<string>()));
        Assert.Equal(cello["memory"]!.GetValue<string>(), same.Content);
    }

    [Fact]
    public async Task Mem0_requests_outside_what_this_server_supports_get_a_400_that_says_why()
    {
        var key = await Host.CreateKeyAsync("mem0-limits");
        using var mem0 = await Mem0Client.ConnectAsync(key, Host.BaseAddress);
        var topLevel = await Assert.ThrowsAsync<Mem0Exception>(() => mem0.GetAllAsync(new JsonObject()));
        Assert.Equal(400, topLevel.Status);
        var or = await Assert.ThrowsAsync<Mem0Exception>(() => mem0.SearchAsync("x", new JsonObject { ["OR"] = new JsonArray(new JsonObject { ["user_id"] = "a" }) }));
        Assert.Equal(400, or.Status);
        Assert.Contains("not supported", or.Detail, StringComparison.Ordinal);
        var noScope = await Assert.ThrowsAsync<Mem0Exception>(() => mem0.AddAsync(JsonValue.Create("text")!));
        Assert.Equal(400, noScope.Status);
        await Assert.ThrowsAsync<Mem0Exception>(() => Mem0Client.ConnectAsync("agk_000000000000_" + new string('a', 43), Host.BaseAddress));
        Assert.Equal((0, 0, 0), await fixture.CountAsync("mem0-limits"));
    }
}
