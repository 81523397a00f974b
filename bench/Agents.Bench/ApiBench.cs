using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Agents.Abstractions.Memory;
using Agents.Bench.Grains;
using Agents.Client.Api;
using Agents.Grains.Hosting;
using Agents.Silo.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Agents.Bench;

/// <summary>
/// <c>api</c>: one serving silo over PostgreSQL in this process (HTTP API, Mem0 endpoints, API keys,
/// rate limits, problem details: the product's host), and concurrent clients over loopback HTTP doing
/// a mix of Mem0 searches and adds with one tenant's key. Reports requests per second, latency
/// percentiles (overall and per operation) and errors (anything but a 2xx). The embedder is the
/// offline hashing one (not the silo's default sentence model) unless <c>--embedder</c> names another
/// (<c>Agents:Memory:Embedder</c>, e.g. <c>minilm</c>), so the figure measures the service path rather than a model.
/// </summary>
public static class ApiBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var seconds = options.Double("seconds", 20);
        var warmup = options.Double("warmup", 20);
        var clients = options.Int("clients", 32);
        var searchShare = options.Double("search-share", 0.8);
        var users = options.Int("users", 32);
        var seedMemories = options.Int("seed-memories", 10);
        var embedder = options.String("embedder", "hashing");
        var seed = options.Int("seed", 7);
        var direct = options.Flag("direct");
        var ping = options.Flag("ping");
        options.EnsureAllUsed();
        if (seconds <= 0 || clients < 1 || users < 1 || searchShare is < 0 or > 1) throw new BenchUsageException("--seconds, --clients and --users must be positive and --search-share within 0..1");

        await using var database = await BenchDatabase.CreateAsync();
        var port = FreePort();
        var settings = new Dictionary<string, string?>
        {
            ["Agents:Postgres"] = database.ConnectionString,
            ["Agents:Silo:ClusterId"] = "bench-api",
            ["Agents:Silo:ServiceId"] = $"bench-api-{Guid.NewGuid():N}",
            ["Agents:Silo:Port"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Agents:Silo:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Agents:Http:Urls"] = $"http://127.0.0.1:{port}",
            ["Agents:Http:AdminKey"] = "bench-admin-key-0123456789",
            ["Agents:Http:RateLimitPerSecond"] = "1000000",
            ["Agents:Http:RateLimitBurst"] = "1000000",
        };
        settings["Agents:Memory:Embedder"] = embedder;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddAgentsApi();
        builder.UseOrleans(silo => silo.UseAgentsCluster(builder.Configuration).AddAgents(builder.Configuration));
        using var host = AgentsApi.Build(builder);
        await host.StartAsync();
        try
        {
            var baseAddress = new Uri($"http://127.0.0.1:{port}/");
            string key;
            using (var admin = new AgentsHttpClient(baseAddress, "bench-admin-key-0123456789")) key = (await admin.CreateKeyAsync("bench")).Key;
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
                { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", key);
            Console.WriteLine($"api bench: clients={clients} seconds={seconds} searches={searchShare:P0} users={users} seed_memories={seedMemories}/user embedder={embedder} cores={Environment.ProcessorCount}");

            // Seed every user's memory through the Mem0 add endpoint, then let the pipelines finish.
            var corpus = new BenchCorpus(seed);
            var seedWatch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, users * seedMemories), new ParallelOptions { MaxDegreeOfParallelism = clients }, async (i, ct) =>
            {
                using var response = await http.PostAsync("v3/memories/add/", AddBody(i % users, corpus.Fact(i)), ct);
                response.EnsureSuccessStatusCode();
            });
            using (var api = new AgentsHttpClient(baseAddress, key))
                foreach (var u in Enumerable.Range(0, users))
                    while ((await api.PipelineAsync(MemoryScopeIds.ForUser(User(u)), waitForIdle: true)).Pending > 0) { }
            Console.WriteLine($"seeded    {users * seedMemories} adds in {seedWatch.Elapsed.TotalSeconds:F1} s, pipelines idle");

            // --direct: the same mix as grain calls in this process (no HTTP, no JSON, no key check): what the service path adds.
            // --ping: only GET /v1/ping/ (key check, rate limit, JSON; no store): the service path's own ceiling.
            Func<bool, int, string, Task<bool>> call = direct ? DirectCall(host.Services.GetRequiredService<IGrainFactory>()) : ping ? PingCall(http) : HttpCall(http);
            await LoadAsync(call, corpus, clients, TimeSpan.FromSeconds(warmup), searchShare, users, seed + 1, users * seedMemories);
            // This process's CPU over the measured window (the silo and the clients): on a shared machine
            // a steadier measure of the path's cost than the request rate, which follows the machine's load.
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var result = await LoadAsync(call, corpus, clients, TimeSpan.FromSeconds(seconds), searchShare, users, seed + 2, users * seedMemories * 2);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            if (direct) Console.WriteLine("path      direct grain calls (baseline: no HTTP)");
            if (ping) Console.WriteLine("path      GET /v1/ping/ only (counted as searches): authentication, rate limit, routing, JSON");
            var all = result.Searches.Concat(result.Adds).ToArray();
            Array.Sort(all);
            var rps = all.Length / result.Elapsed.TotalSeconds;
            Console.WriteLine($"search    {Describe(result.Searches)}");
            Console.WriteLine($"add       {Describe(result.Adds)}");
            Console.WriteLine($"all       {all.Length} requests in {result.Elapsed.TotalSeconds:F1} s = {rps:F0} rps; errors {result.Errors}{(result.FirstError is null ? "" : $" (first: {result.FirstError})")}");
            Console.WriteLine(FormattableString.Invariant(
                $"cpu       {cpu.TotalMilliseconds / Math.Max(1, all.Length):F2} ms of this process's CPU per request (silo and clients), {cpu.TotalSeconds / result.Elapsed.TotalSeconds:F2} cores; load average {BenchStats.LoadAverage()}"));
            Console.WriteLine(FormattableString.Invariant(
                $"RESULT api rps={rps:F0} p50_ms={Percentile(all, 0.50):F1} p95_ms={Percentile(all, 0.95):F1} p99_ms={Percentile(all, 0.99):F1} errors={result.Errors}"));
            return 0;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private sealed record Load(double[] Searches, double[] Adds, long Errors, string? FirstError, TimeSpan Elapsed);

    /// <summary><paramref name="clients"/> loops, each one request at a time, until the time is up.</summary>
    private static Func<bool, int, string, Task<bool>> HttpCall(HttpClient http) => async (search, user, text) =>
    {
        using var response = search
            ? await http.PostAsync("v3/memories/search/", SearchBody(user, text))
            : await http.PostAsync("v3/memories/add/", AddBody(user, text));
        await response.Content.LoadIntoBufferAsync();
        return response.IsSuccessStatusCode;
    };

    private static Func<bool, int, string, Task<bool>> PingCall(HttpClient http) => async (_, _, _) =>
    {
        using var response = await http.GetAsync("v1/ping/");
        await response.Content.LoadIntoBufferAsync();
        return response.IsSuccessStatusCode;
    };

    private static Func<bool, int, string, Task<bool>> DirectCall(IGrainFactory grains) => async (search, user, text) =>
    {
        var grain = grains.GetGrain<IMemoryGrain>(new ScopeRef("bench", UserId: User(user)).ToGrainKey());
        if (search) await grain.FindAsync(new MemoryQuery(text, 10));
        else await grain.AddAsync(new MemoryInput([new TurnInput("user", text)], DateTimeOffset.UtcNow));
        return true;
    };

    private static async Task<Load> LoadAsync(Func<bool, int, string, Task<bool>> call, BenchCorpus corpus, int clients, TimeSpan duration, double searchShare, int users, int seed, int factBase)
    {
        var searches = new List<double>[clients];
        var adds = new List<double>[clients];
        long errors = 0;
        string? firstError = null;
        var next = factBase;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var random = new Random(seed * 1000 + c);
            searches[c] = [];
            adds[c] = [];
            while (watch.Elapsed < duration)
            {
                var search = random.NextDouble() < searchShare;
                var user = random.Next(users);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    if (!await call(search, user, search ? corpus.Question() : corpus.Fact(Interlocked.Increment(ref next))))
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, "an error status", null);
                        continue;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or Agents.Abstractions.AgentsException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                    continue;
                }
                (search ? searches[c] : adds[c]).Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }))).ConfigureAwait(false);
        var elapsed = watch.Elapsed;
        var s = searches.SelectMany(l => l).ToArray();
        var a = adds.SelectMany(l => l).ToArray();
        Array.Sort(s);
        Array.Sort(a);
        return new Load(s, a, errors, firstError, elapsed);
    }

    private static string User(int u) => $"user-{u}";

    private static StringContent AddBody(int user, string text) => Json(new JsonObject
    {
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text }),
        ["user_id"] = User(user),
    });

    private static StringContent SearchBody(int user, string query) => Json(new JsonObject
    {
        ["query"] = query, ["filters"] = new JsonObject { ["user_id"] = User(user) }, ["top_k"] = 10,
    });

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static string Describe(double[] sorted) => sorted.Length == 0 ? "none" : FormattableString.Invariant(
        $"{sorted.Length} requests, p50 {Percentile(sorted, 0.5):F1} ms, p95 {Percentile(sorted, 0.95):F1} ms, p99 {Percentile(sorted, 0.99):F1} ms, max {sorted[^1]:F1} ms");

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
