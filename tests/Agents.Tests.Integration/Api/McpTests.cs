using System.Text.Json;
using Agents.Client.Api;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Agents.Tests.Integration.Api;

/// <summary>The MCP memory and workflow tools through an MCP client, over Streamable HTTP on the silo and over stdio from <c>agents mcp</c>.</summary>
[Collection(ApiCollection.Name)]
public sealed class McpTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiHost Host => fixture.Host;

    public static async Task<McpClient> OverHttpAsync(ApiHost host, string key) =>
        await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(host.BaseAddress, "mcp"),
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Token {key}" },
        }));

    public static async Task<McpClient> OverStdioAsync(ApiHost host, string key) =>
        await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "agents-mcp",
            Command = "dotnet",
            Arguments = [CliAssembly(), "mcp", "--url", host.BaseAddress.ToString(), "--key", key],
        }));

    public static readonly string[] ToolNames =
        ["add_memory", "delete_memory", "list_memories", "list_workflows", "search_memory", "start_workflow", "workflow_events", "workflow_status"];

    [Fact]
    public Task The_tools_work_over_Streamable_HTTP() => ExerciseAsync("mcp-http", OverHttpAsync);

    [Fact]
    public Task The_workflow_tools_work_over_Streamable_HTTP() => ExerciseWorkflowsAsync("mcp-wf-http", OverHttpAsync);

    [Fact]
    public Task The_workflow_tools_work_over_stdio() => ExerciseWorkflowsAsync("mcp-wf-stdio", OverStdioAsync);

    [Fact]
    public Task The_tools_work_over_stdio() => ExerciseAsync("mcp-stdio", OverStdioAsync);

    [Fact]
    public async Task The_HTTP_endpoint_needs_a_tenants_key()
    {
        using var http = Host.Http();
        var response = await http.PostAsync("mcp", new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => OverHttpAsync(Host, "agk_000000000000_" + new string('a', 43)));
    }

    private async Task ExerciseAsync(string tenant, Func<ApiHost, string, Task<McpClient>> connect)
    {
        var key = await Host.CreateKeyAsync(tenant);
        await using var mcp = await connect(Host, key);
        var tools = await mcp.ListToolsAsync();
        Assert.Equal(ToolNames, tools.Select(t => t.Name).Order());

        var added = Json(await mcp.CallToolAsync("add_memory", new Dictionary<string, object?> { ["text"] = "The Aurora launch is set for 14 March.", ["team_id"] = "marketing" }));
        var episode = added.GetProperty("episode_id").GetGuid();
        using (var api = Host.Client(key)) await api.PipelineAsync(MemoryScopeIds.ForTeam("marketing"), waitForIdle: true);

        var found = Json(await mcp.CallToolAsync("search_memory", new Dictionary<string, object?> { ["query"] = "When is the Aurora launch?", ["team_id"] = "marketing", ["top_k"] = 3 }));
        Assert.Contains(found.GetProperty("results").EnumerateArray(), m => m.GetProperty("content").GetString()!.Contains("14 March", StringComparison.Ordinal));
        var listed = Json(await mcp.CallToolAsync("list_memories", new Dictionary<string, object?> { ["team_id"] = "marketing" }));
        var id = listed.GetProperty("results")[0].GetProperty("id").GetString()!;

        var deleted = await mcp.CallToolAsync("delete_memory", new Dictionary<string, object?> { ["memory_id"] = id });
        Assert.NotEqual(true, deleted.IsError);
        var again = await mcp.CallToolAsync("delete_memory", new Dictionary<string, object?> { ["memory_id"] = id });
        Assert.True(again.IsError);
        Assert.Contains("No memory", Text(again), StringComparison.Ordinal);
        var bad = await mcp.CallToolAsync("search_memory", new Dictionary<string, object?> { ["query"] = "x" });
        Assert.True(bad.IsError);
        Assert.Contains("scope", Text(bad), StringComparison.Ordinal);
        Assert.True((await mcp.CallToolAsync("delete_memory", new Dictionary<string, object?> { ["memory_id"] = "not-an-id" })).IsError);
        using (var api = Host.Client(key)) Assert.Equal("episode", (await api.GetAsync(episode)).Kind);
    }

    private async Task ExerciseWorkflowsAsync(string tenant, Func<ApiHost, string, Task<McpClient>> connect)
    {
        var key = await Host.CreateKeyAsync(tenant);
        await using var mcp = await connect(Host, key);
        var yaml = WorkflowApiFixture.Example("launch-brief.yaml");
        var started = Json(await mcp.CallToolAsync("start_workflow", new Dictionary<string, object?> { ["definition"] = yaml, ["run_id"] = "mcp-run" }));
        Assert.Equal(("mcp-run", "running"), (started.GetProperty("run_id").GetString(), started.GetProperty("status").GetString()));

        // Follow the events page by page (waiting for new ones) until the run says it is finished.
        var ids = new List<long>();
        for (long after = 0; ;)
        {
            var page = Json(await mcp.CallToolAsync("workflow_events", new Dictionary<string, object?> { ["run_id"] = "mcp-run", ["after"] = after, ["wait_seconds"] = 10 }));
            foreach (var e in page.GetProperty("events").EnumerateArray()) ids.Add(e.GetProperty("id").GetInt64());
            if (ids.Count > 0) after = ids[^1];
            if (page.GetProperty("finished").GetBoolean()) break;
            Assert.True(ids.Count < 10_000);
        }
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(i => (long)i), ids);

        var status = Json(await mcp.CallToolAsync("workflow_status", new Dictionary<string, object?> { ["run_id"] = "mcp-run" }));
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Contains("14 March", status.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.NotEmpty(status.GetProperty("citations").EnumerateArray());
        Assert.Equal(ids[^1], status.GetProperty("last_event_id").GetInt64());
        var list = Json(await mcp.CallToolAsync("list_workflows", new Dictionary<string, object?>()));
        Assert.Equal(["mcp-run"], list.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("run_id").GetString()));
        Assert.Empty(Json(await mcp.CallToolAsync("list_workflows", new Dictionary<string, object?> { ["status"] = "failed" })).GetProperty("runs").EnumerateArray());

        // Errors are tool errors that say what to fix.
        var invalid = await mcp.CallToolAsync("start_workflow", new Dictionary<string, object?> { ["definition"] = "name: x\nteam: t\ntopolgy: star\n" });
        Assert.True(invalid.IsError);
        foreach (var expected in new[] { "task: is missing", "did you mean 'topology'", "agents: at least one agent" })
            Assert.Contains(expected, Text(invalid), StringComparison.Ordinal);
        var unknown = await mcp.CallToolAsync("workflow_status", new Dictionary<string, object?> { ["run_id"] = "no-such-run" });
        Assert.True(unknown.IsError);
        Assert.Contains("No run", Text(unknown), StringComparison.Ordinal);
        Assert.True((await mcp.CallToolAsync("workflow_events", new Dictionary<string, object?> { ["run_id"] = "no-such-run" })).IsError);
        Assert.True((await mcp.CallToolAsync("workflow_status", new Dictionary<string, object?> { ["run_id"] = "not a run id!" })).IsError);
        Assert.True((await mcp.CallToolAsync("list_workflows", new Dictionary<string, object?> { ["status"] = "sleeping" })).IsError);
        Assert.True((await mcp.CallToolAsync("workflow_events", new Dictionary<string, object?> { ["run_id"] = "mcp-run", ["after"] = -1 })).IsError);
    }

    /// <summary>The CLI as built in its own folder (its dependencies beside it), the build configuration of this test run.</summary>
    public static string CliAssembly()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name;   // .../bin/<configuration>/<framework>/
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Agents.sln"))) root = root.Parent;
        var cli = Path.Combine(root?.FullName ?? throw new InvalidOperationException("No Agents.sln above the test folder."), "Client", "Cli", "bin", configuration, here.Name, "agents.dll");
        return File.Exists(cli) ? cli : throw new InvalidOperationException($"Build the CLI first: {cli} is missing.");
    }

    public static JsonElement Json(CallToolResult result)
    {
        Assert.NotEqual(true, result.IsError);
        return JsonDocument.Parse(Text(result)).RootElement;
    }

    public static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
}
