using System.CommandLine;
using System.Text.Json;
using Agents.Client.Api;
using Agents.Client.Mcp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agents.Cli;

/// <summary>
/// The commands that talk to a silo's HTTP API (<c>--url</c>, default <c>http://127.0.0.1:8080</c>):
/// <c>keys create|revoke</c> with the admin key, <c>memory add|search|get|list|delete|history</c> with a
/// tenant's key, and <c>mcp</c>, an MCP server on stdio whose tools call the API with that key.
/// </summary>
public static class ApiCommands
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static void Add(RootCommand root, Option<string> tenant, Option<string?> user, Option<string?> agent, Option<string?> run, Option<string?> team, TextWriter output, TextWriter error)
    {
        var url = new Option<string>("--url") { Description = "the API's URL (env AGENTS_URL)", DefaultValueFactory = _ => Env("AGENTS_URL") ?? DefaultUrl, Recursive = true };
        var key = new Option<string?>("--key") { Description = "a tenant's API key (env AGENTS_API_KEY)", DefaultValueFactory = _ => Env("AGENTS_API_KEY"), Recursive = true };
        var adminKey = new Option<string?>("--admin-key") { Description = "the operators' admin key (env AGENTS_ADMIN_KEY, or Agents__Http__AdminKey)", DefaultValueFactory = _ => Env("AGENTS_ADMIN_KEY") ?? Env("Agents__Http__AdminKey"), Recursive = true };

        // ---- keys ----
        var keys = new Command("keys", "create and revoke API keys (needs the admin key)") { url, adminKey };
        var create = new Command("create", "create a key for --tenant; prints the key on its last line");
        create.SetAction((r, ct) => WithApi(r.GetValue(url)!, r.GetValue(adminKey), "--admin-key", error, async api =>
        {
            var created = await api.CreateKeyAsync(r.GetValue(tenant)!, ct);
            await output.WriteLineAsync($"tenant {created.Tenant}, prefix {created.Prefix} (revoke: agents keys revoke {created.Prefix}); the key, shown once:");
            await output.WriteLineAsync(created.Key);
        }));
        var prefix = new Argument<string>("prefix") { Description = "the key's prefix (the 12 hex digits after agk_)" };
        var revoke = new Command("revoke", "revoke a key by its prefix") { prefix };
        revoke.SetAction((r, ct) => WithApi(r.GetValue(url)!, r.GetValue(adminKey), "--admin-key", error, async api =>
        {
            await api.RevokeKeyAsync(r.GetValue(prefix)!, ct);
            await output.WriteLineAsync($"revoked {r.GetValue(prefix)}");
        }));
        keys.Subcommands.Add(create);
        keys.Subcommands.Add(revoke);

        // ---- memory ----
        MemoryScopeIds Scope(ParseResult r) => new(r.GetValue(user), r.GetValue(agent), r.GetValue(run), r.GetValue(team));
        var memory = new Command("memory", "a scope's memory through the HTTP API (--key; the scope: --user, --agent, --run, --team)") { url, key };
        var text = new Argument<string>("text") { Description = "the text to store or the query" };
        var speaker = new Option<string?>("--speaker") { Description = "who said the text" };
        var top = new Option<int>("--top") { Description = "how many results", DefaultValueFactory = _ => 5 };
        var limit = new Option<int>("--limit") { Description = "page size", DefaultValueFactory = _ => 100 };
        var id = new Argument<Guid>("id") { Description = "a memory's id" };
        var json = new Option<bool>("--json") { Description = "print the API's JSON" };

        var add = new Command("add", "store a message (returns once it is durable)") { text, speaker };
        add.SetAction((r, ct) => WithApi(r.GetValue(url)!, r.GetValue(key), "--key", error, async api =>
        {
            var s = Scope(r);
            var receipt = await api.AddAsync(new AddMemoryRequest { UserId = s.UserId, AgentId = s.AgentId, RunId = s.RunId, TeamId = s.TeamId, Text = r.GetValue(text), Speaker = r.GetValue(speaker) }, ct);
            await output.WriteLineAsync($"stored {receipt.EpisodeId}{(receipt.Repeated ? " (repeated)" : "")}");
        }));
        var search = new Command("search", "hybrid search of the scope") { text, top, json };
        search.SetAction((r, ct) => WithApi(r.GetValue(url)!, r.GetValue(key), "--key", error, async api =>
        {
            var s = Scope(r);
            var results = await api.SearchAsync(new SearchMemoryRequest { UserId = s.UserId, AgentId = s.AgentId, RunId = s.RunId, TeamId = s.TeamId, Query = r.GetValue(text), TopK = r.GetValue(top) }, ct);
            await Print(output, r.GetValue(json), results, () => results.Results.Select(m => $"{m.Score:0.000}  {m.Id}  {m.Kind,-7} {m.Content}"));
        }));
        var list = new Command("list", "the scope's memories, oldest first") { limit, json };
        list.SetAction((r, ct) => WithApi(r.GetValue(url)!, r.GetValue(key), "--key", error, async api =>
        {
            var results = await api.ListAsync(new ListMemoryRequest(Scope(r), r.GetValue(limit)), ct);
            await Print(output, r.GetValue(json), results, () => results.Results.Select(m => $"{m.Id}  {m.Kind,-7} {m.Content}").Append($"{results.Count} in all"));
        }));
        var get = new Command("get", "one memory by id") { id, json };
        get.SetAction((r, ct) => WithApi(r.GetValue(url)!, r.GetValue(key), "--key", error, async api =>
        {
            var m = await api.GetAsync(r.GetValue(id), ct);
            await Print(output, r.GetValue(json), m, () => [$"{m.Id}  {m.Kind}  v{m.Version}  observed {m.ObservedAt:O}", m.Content]);
        }));
        var delete = new Command("delete", "delete one memory by id") { id };
        delete.SetAction((r, ct) => WithApi(r.GetValue(url)!, r.GetValue(key), "--key", error, async api =>
        {
            await api.DeleteAsync(r.GetValue(id), ct);
            await output.WriteLineAsync($"deleted {r.GetValue(id)}");
        }));
        var history = new Command("history", "every change of a memory") { id, json };
        history.SetAction((r, ct) => WithApi(r.GetValue(url)!, r.GetValue(key), "--key", error, async api =>
        {
            var h = await api.HistoryAsync(r.GetValue(id), ct);
            await Print(output, r.GetValue(json), h, () => h.Results.Select(e => $"{e.At:O}  {e.Event,-10} {e.Actor,-10} {e.OldContent} -> {e.NewContent}"));
        }));
        var file = new Argument<FileInfo>("file") { Description = "a JSONL file: one add a line, as the API's add (text or messages, speaker, observed_at, idempotency_key; scope ids default to --user/--agent/--run/--team)" };
        var batchSize = new Option<int>("--batch") { Description = "adds per request (1-1000)", DefaultValueFactory = _ => 500 };
        var import = new Command("import", "bulk ingest a JSONL file of adds (each request's adds stored per scope in one transaction)") { file, batchSize };
        import.SetAction((r, ct) => WithApi(r.GetValue(url)!, r.GetValue(key), "--key", error, async api =>
            await JsonlImport.RunAsync(api, r.GetValue(file)!, Scope(r), r.GetValue(batchSize), output, ct)));
        foreach (var c in new[] { add, import, search, list, get, delete, history }) memory.Subcommands.Add(c);

        // ---- mcp ----
        var mcp = new Command("mcp", "serve the memory and workflow tools as an MCP server on stdio, against the HTTP API with --key") { url, key };
        mcp.SetAction((r, ct) => ServeMcpAsync(r.GetValue(url)!, r.GetValue(key), error, ct));

        root.Subcommands.Add(keys);
        root.Subcommands.Add(memory);
        root.Subcommands.Add(mcp);
    }

    private static async Task<int> ServeMcpAsync(string url, string? key, TextWriter error, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            await error.WriteLineAsync("agents: mcp needs a tenant's key (--key or AGENTS_API_KEY).");
            return 2;
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // stdout carries the protocol: logs go to stderr only.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(_ => new AgentsHttpClient(new Uri(url), key));
        builder.Services.AddSingleton<IAgentsMemoryApi>(sp => sp.GetRequiredService<AgentsHttpClient>());
        builder.Services.AddSingleton<IAgentsWorkflowApi>(sp => sp.GetRequiredService<AgentsHttpClient>());
        builder.Services.AddMcpServer(o => o.ServerInfo = new() { Name = "agents", Version = "1.0" })
            .WithStreamServerTransport(Console.OpenStandardInput(), Console.OpenStandardOutput())
            .WithTools<MemoryTools>(AgentsJson.Options)
            .WithTools<WorkflowTools>(AgentsJson.Options);
        using var host = builder.Build();
        await host.RunAsync(cancellationToken);
        return 0;
    }

    private static async Task Print<T>(TextWriter output, bool json, T value, Func<IEnumerable<string>> lines)
    {
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(value, AgentsJson.Options));
            return;
        }
        foreach (var line in lines()) await output.WriteLineAsync(line);
    }

    private static async Task<int> WithApi(string url, string? key, string keyOption, TextWriter error, Func<AgentsHttpClient, Task> action)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            await error.WriteLineAsync($"agents: this command needs {keyOption}.");
            return 2;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            await error.WriteLineAsync($"agents: '{url}' is not a URL.");
            return 2;
        }
        try
        {
            using var api = new AgentsHttpClient(uri, key);
            await action(api);
            return 0;
        }
        catch (AgentsApiException e)
        {
            await error.WriteLineAsync($"agents: {(int)e.Status} {e.Problem?.Title ?? e.Status.ToString()}: {e.Message}");
            return (int)e.Status is >= 400 and < 500 ? 2 : 1;
        }
        catch (CliInputException e)
        {
            await error.WriteLineAsync($"agents: {e.Message}");
            return 2;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"agents: cannot reach {url}: {e.Message}");
            return 1;
        }
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
