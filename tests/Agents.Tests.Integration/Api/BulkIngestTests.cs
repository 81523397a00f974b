using System.Net;
using Agents.Cli;
using Agents.Client.Api;

namespace Agents.Tests.Integration.Api;

/// <summary>Bulk ingest over PostgreSQL: <c>POST /api/v1/memories/batch</c> and <c>agents memory import</c> (JSONL).</summary>
[Collection(ApiCollection.Name)]
public sealed class BulkIngestTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    [Fact]
    public async Task A_bulk_add_stores_every_add_in_order_across_scopes_and_repeats_nothing()
    {
        using var api = Host.Client(await Host.CreateKeyAsync("bulk-api"));
        var at = new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero);
        AddMemoryRequest Add(string user, string text, int minute, string? key = null) =>
            new() { UserId = user, Text = text, Speaker = user, ObservedAt = at.AddMinutes(minute), IdempotencyKey = key };
        var sent = new List<AddMemoryRequest>
        {
            Add("bea", "I adopted a grey cat called Miso.", 0, "bea-1"),
            Add("carl", "My train to Ghent leaves at nine.", 1),
            Add("bea", "Miso sleeps on the piano all day.", 2),
            Add("bea", "I adopted a grey cat called Miso.", 0, "bea-1"), // the first add again
        };
        var response = await api.AddManyAsync(new AddMemoriesRequest(sent));

        Assert.Equal(4, response.Results.Count);
        Assert.Equal([false, false, false, true], response.Results.Select(static r => r.Repeated));
        Assert.Equal(response.Results[0].EpisodeId, response.Results[3].EpisodeId);
        Assert.Equal(3, response.Results.Select(static r => r.EpisodeId).Distinct().Count());
        await api.PipelineAsync(MemoryScopeIds.ForUser("bea"), waitForIdle: true);
        await api.PipelineAsync(MemoryScopeIds.ForUser("carl"), waitForIdle: true);
        var bea = await api.ListAsync(new ListMemoryRequest(MemoryScopeIds.ForUser("bea"), Kinds: ["episode"]));
        Assert.Equal(2, bea.Count);
        Assert.Equal("bea", (await api.GetAsync(response.Results[2].EpisodeId)).UserId);
        Assert.Equal("carl", (await api.GetAsync(response.Results[1].EpisodeId)).UserId);
        var notes = await api.ListAsync(new ListMemoryRequest(MemoryScopeIds.ForUser("bea"), Kinds: ["note"]));
        Assert.Equal(2, notes.Count);
        var hits = await api.SearchAsync(new SearchMemoryRequest { UserId = "bea", Query = "Where does Miso sleep?", TopK = 3 });
        Assert.Contains(hits.Results, m => m.Content.Contains("piano", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bulk_add_with_one_bad_add_is_refused_naming_it_and_stores_nothing()
    {
        using var api = Host.Client(await Host.CreateKeyAsync("bulk-bad"));
        var adds = new List<AddMemoryRequest>
        {
            new() { UserId = "dan", Text = "I run on Sundays." },
            new() { UserId = "dan", Text = "   " },
        };
        var refused = await Assert.ThrowsAsync<AgentsApiException>(() => api.AddManyAsync(new AddMemoriesRequest(adds)));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.StartsWith("Add 1: ", refused.Message, StringComparison.Ordinal);
        var noScope = await Assert.ThrowsAsync<AgentsApiException>(() => api.AddManyAsync(new AddMemoriesRequest([adds[0], new AddMemoryRequest { Text = "no scope" }])));
        Assert.StartsWith("Add 1: ", noScope.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await Assert.ThrowsAsync<AgentsApiException>(() => api.AddManyAsync(new AddMemoriesRequest([])))).Status);
        Assert.Equal(0, (await api.ListAsync(new ListMemoryRequest(MemoryScopeIds.ForUser("dan"), Kinds: ["episode"]))).Count);
    }

    [Fact]
    public async Task The_CLI_imports_a_JSONL_file_and_refuses_a_bad_line_before_sending_anything()
    {
        var key = await Host.CreateKeyAsync("bulk-cli");
        var file = Path.Combine(Path.GetTempPath(), $"agents-import-{Guid.NewGuid():N}.jsonl");
        var bad = Path.Combine(Path.GetTempPath(), $"agents-import-{Guid.NewGuid():N}.jsonl");
        try
        {
            var lines = Enumerable.Range(0, 7).Select(i => $$"""{"text":"Day {{i}}: I walked {{i + 3}} km along the river.","speaker":"eve","observed_at":"2025-07-0{{i + 1}}T10:00:00Z","idempotency_key":"walk-{{i}}"}""").ToList();
            lines.Insert(3, "");
            lines.Add("""{"user_id":"frank","text":"I bake bread on Fridays."}""");
            await File.WriteAllLinesAsync(file, lines);
            var (code, output, error) = await Run("memory", "import", file, "--user", "eve", "--batch", "3", "--key", key);
            Assert.True(code == 0, error);
            Assert.StartsWith("imported 8 adds", output, StringComparison.Ordinal);
            (code, output, error) = await Run("memory", "import", file, "--user", "eve", "--key", key);
            Assert.True(code == 0, error);
            Assert.Contains("7 repeated", output, StringComparison.Ordinal); // the keyed lines; frank's has no key, so a new add

            using var api = Host.Client(key);
            await api.PipelineAsync(MemoryScopeIds.ForUser("eve"), waitForIdle: true);
            Assert.Equal(7, (await api.ListAsync(new ListMemoryRequest(MemoryScopeIds.ForUser("eve"), Kinds: ["episode"]))).Count);
            Assert.Equal(7, (await api.ListAsync(new ListMemoryRequest(MemoryScopeIds.ForUser("eve"), Kinds: ["note"]))).Count);
            Assert.Equal(2, (await api.ListAsync(new ListMemoryRequest(MemoryScopeIds.ForUser("frank"), Kinds: ["episode"]))).Count);

            await File.WriteAllLinesAsync(bad, ["""{"text":"fine","user_id":"gil"}""", """{"text": "broken" """]);
            (code, _, error) = await Run("memory", "import", bad, "--key", key);
            Assert.Equal(2, code);
            Assert.Contains("line 2", error, StringComparison.Ordinal);
            Assert.Equal(0, (await api.ListAsync(new ListMemoryRequest(MemoryScopeIds.ForUser("gil"), Kinds: ["episode"]))).Count);
            await File.WriteAllLinesAsync(bad, ["""{"text":"fine","user_id":"gil"}""", """{"text":" ","user_id":"gil"}"""]);
            (code, _, error) = await Run("memory", "import", bad, "--key", key);
            Assert.Equal(2, code);
            Assert.Contains("line 2: Add 1: ", error, StringComparison.Ordinal);
            Assert.Contains("nothing was stored", error, StringComparison.Ordinal);
            Assert.Equal(0, (await api.ListAsync(new ListMemoryRequest(MemoryScopeIds.ForUser("gil"), Kinds: ["episode"]))).Count);
        }
        finally
        {
            File.Delete(file);
            File.Delete(bad);
        }
    }

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AgentsCli.RunAsync([.. args, "--url", Host.BaseAddress.ToString()], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
