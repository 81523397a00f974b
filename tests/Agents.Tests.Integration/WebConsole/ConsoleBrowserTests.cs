using System.Text.Json;
using Agents.Client.Api;
using Agents.Tests.Integration.Api;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Agents.Tests.Integration.WebConsole;

/// <summary>
/// The web console in a real browser (Debian's chromium through Playwright) against an in-process
/// serving silo over PostgreSQL: a run watched live to its answer, the SSE stream resumed with
/// Last-Event-ID, a memory graph drawn and travelled in time, insights with scores, and API text
/// that carries markup shown as text.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ConsoleBrowserTests(ApiFixture fixture, ITestOutputHelper output) : IClassFixture<ApiFixture>
{
    private const string LaunchBrief = "launch-brief.yaml";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private ApiHost Host => fixture.Host;

    private sealed record DrawnEvent(long Id, string Type, string Status);

    [Fact]
    public async Task A_run_is_watched_live_to_its_answer_with_citations_agents_and_memory()
    {
        const string tenant = "console-runs";
        var key = await Host.CreateKeyAsync(tenant);
        await using var browser = await ConsoleBrowser.StartAsync(Host.BaseAddress);
        var page = browser.Page;
        await browser.SignInAsync(key, tenant);

        // Every event row as it is drawn, with the run's badge at that moment.
        await page.EvaluateAsync("""
            () => {
              window.__drawn = [];
              new MutationObserver((records) => {
                for (const r of records) for (const n of r.addedNodes)
                  if (n.classList && n.classList.contains("event"))
                    window.__drawn.push({ id: Number(n.dataset.id), type: n.dataset.type, status: document.getElementById("run-status").textContent });
              }).observe(document.getElementById("timeline"), { childList: true });
            }
            """);
        await page.Locator($"#example-select option[value='{LaunchBrief}']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#example-select", LaunchBrief);
        Assert.Contains("name: launch-brief", await page.InputValueAsync("#definition"), StringComparison.Ordinal);
        await page.ClickAsync("#start-run");

        await page.Locator("#run-status").Filter(new() { HasTextString = "running" }).WaitForAsync();
        var runId = (await page.TextContentAsync("#run-id"))!.Trim();
        Assert.StartsWith("run-", runId, StringComparison.Ordinal);
        await page.Locator("#answer-card").WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 180_000 });
        var screenshot = await browser.ScreenshotAsync("run-answer");
        output.WriteLine($"screenshot: {screenshot}");

        // Watched live: the first events were drawn while the run was still running, in order, each once.
        var drawn = JsonSerializer.Deserialize<List<DrawnEvent>>(await page.EvaluateAsync<string>("() => JSON.stringify(window.__drawn)"), Json)!;
        Assert.Equal("run.started", drawn[0].Type);
        Assert.Equal("running", drawn[0].Status);
        Assert.Equal("run.finished", drawn[^1].Type);
        Assert.Equal(Enumerable.Range(1, drawn.Count).Select(i => (long)i), drawn.Select(d => d.Id));
        var api = Host.Client(key);
        var run = await api.GetRunAsync(runId);
        Assert.Equal("completed", run.Status);
        Assert.Equal(run.LastEventId, drawn.Count);
        Assert.Contains(drawn, d => d.Type == "step.started");
        Assert.Contains(drawn, d => d.Type == "memory.read");
        Assert.Contains(drawn, d => d.Type == "memory.written");

        // The answer, its citation markers and the citations themselves, as the API has them.
        Assert.Equal("completed", (await page.TextContentAsync("#run-status"))!.Trim());
        var answer = (await page.TextContentAsync("#answer"))!;
        Assert.Contains("14 March", answer, StringComparison.Ordinal);
        Assert.Contains("40,000", answer, StringComparison.Ordinal);
        Assert.True(await page.Locator("#answer sup.cite").CountAsync() >= 1);
        var citations = await page.Locator("#citations .cite-text").AllTextContentsAsync();
        Assert.Equal(run.Citations.Select(c => c.Text), citations);
        Assert.Contains(citations, c => c.Contains("14 March", StringComparison.Ordinal));

        // Agents with their steps, and the memory an event read, opened to its text.
        Assert.Equal(["researcher", "writer"], await page.Locator("#agents .agent strong").AllTextContentsAsync());
        await page.Locator("#timeline li[data-type='memory.read'] summary").First.ClickAsync();
        await page.Locator("#timeline li[data-type='memory.read'] .mem-list .kind-chip").First.WaitForAsync();
        Assert.Contains(await page.Locator("#timeline li[data-type='memory.read'] .mem-list li").AllTextContentsAsync(),
            t => t.Contains("Aurora", StringComparison.Ordinal));
        await page.Locator($"#run-list li[data-run='{runId}'] .status-completed").WaitForAsync();

        // The team's insights from this run, with their scores.
        await browser.GoAsync("#/insights/marketing");
        await page.Locator("#insights tbody tr.insight").First.WaitForAsync();
        var insights = await api.InsightsAsync("marketing");
        Assert.NotEmpty(insights.Results);
        Assert.Equal(insights.Results.Select(i => i.Score.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            await page.Locator("#insights .score-value").AllTextContentsAsync());
        Assert.Contains("Aurora", await page.TextContentAsync("#team-runs") ?? "", StringComparison.Ordinal);
        output.WriteLine($"screenshot: {await browser.ScreenshotAsync("insights")}");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task A_dropped_event_stream_resumes_from_Last_Event_ID_without_gaps_or_repeats()
    {
        const string tenant = "console-resume";
        var key = await Host.CreateKeyAsync(tenant);
        var api = Host.Client(key);
        var definition = File.ReadAllText(Path.Combine(Workflows.Examples.Directory, LaunchBrief));
        var started = await api.StartRunAsync(definition);
        RunView run;
        do { await Task.Delay(200); run = await api.GetRunAsync(started.RunId); } while (run.Status == "running");
        Assert.True(run.LastEventId > 4);

        await using var browser = await ConsoleBrowser.StartAsync(Host.BaseAddress);
        var page = browser.Page;
        await browser.SignInAsync(key, tenant);
        // The first connection is cut after three events; the console must reconnect from the third.
        var lastEventIds = new List<string>();
        var cut = false;
        await page.RouteAsync("**/api/v1/runs/*/events*", async route =>
        {
            var headers = await route.Request.AllHeadersAsync();
            lock (lastEventIds) lastEventIds.Add(headers.TryGetValue("last-event-id", out var id) ? id : "");
            if (cut)
            {
                await route.ContinueAsync();
                return;
            }
            cut = true;
            var response = await route.FetchAsync();
            var blocks = (await response.TextAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(b => b.Contains("data:", StringComparison.Ordinal)).Take(3);
            await route.FulfillAsync(new() { Status = 200, ContentType = "text/event-stream", Body = string.Join("\n\n", blocks) + "\n\n" });
        });
        await browser.GoAsync($"#/runs/{run.RunId}");
        await page.Locator("#timeline li[data-type='run.finished']").WaitForAsync();

        var ids = await page.Locator("#timeline li.event").EvaluateAllAsync<long[]>("els => els.map(e => Number(e.dataset.id))");
        Assert.Equal(Enumerable.Range(1, (int)run.LastEventId).Select(i => (long)i), ids);
        lock (lastEventIds) Assert.Equal(["", "3"], lastEventIds.Take(2));
        await page.Locator("#answer-card").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task A_scope_memory_graph_is_drawn_and_as_of_travels_in_time_with_markup_shown_as_text()
    {
        const string tenant = "console-graph";
        var key = await Host.CreateKeyAsync(tenant);
        var api = Host.Client(key);
        const string injection = "Note <img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script> from Ana.";
        await api.AddAsync(new AddMemoryRequest { UserId = "ana", Text = "Ana moved to Lisbon in January 2024.", ObservedAt = new DateTimeOffset(2024, 1, 10, 9, 0, 0, TimeSpan.Zero) });
        await api.AddAsync(new AddMemoryRequest { UserId = "ana", Text = "Ana started a job at Nimbus Labs in Porto.", ObservedAt = new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero) });
        await api.AddAsync(new AddMemoryRequest { UserId = "ana", Text = injection, ObservedAt = new DateTimeOffset(2025, 6, 1, 9, 0, 0, TimeSpan.Zero) });
        await api.PipelineAsync(MemoryScopeIds.ForUser("ana"), waitForIdle: true);
        var now = await api.GraphAsync(MemoryScopeIds.ForUser("ana"));
        var then = await api.GraphAsync(MemoryScopeIds.ForUser("ana"), new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.True(then.Nodes.Count is > 0 && then.Nodes.Count < now.Nodes.Count);

        await using var browser = await ConsoleBrowser.StartAsync(Host.BaseAddress);
        var page = browser.Page;
        await browser.SignInAsync(key, tenant);
        await page.ClickAsync("nav a[data-tab='memory']");
        await page.FillAsync("#scope-user", "ana");
        await page.ClickAsync("#load-graph");

        // Drawn: one SVG node per memory of the graph, with links.
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('#graph g.node').length === {now.Nodes.Count}");
        Assert.Equal(now.Nodes.Count, await page.Locator("#graph g.node circle").CountAsync());
        Assert.True(await page.Locator("#graph line.link").CountAsync() >= now.Links.Count);
        var labels = await Labels(page);
        Assert.Contains(labels, l => l.Contains("Nimbus", StringComparison.Ordinal));
        Assert.Contains(labels, l => l.Contains("<img src=x", StringComparison.Ordinal));   // markup kept as text
        output.WriteLine($"screenshot: {await browser.ScreenshotAsync("memory-graph-now")}");

        // The node with markup, opened: its text is shown verbatim and nothing ran.
        await page.Locator("#graph g.node[data-kind='note']").Filter(new() { Has = page.Locator("title", new() { HasTextString = "<script>" }) }).Locator("circle").First.ClickAsync();
        Assert.Contains("<script>window.__pwned=2</script>", await page.TextContentAsync("#node-content") ?? "", StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("main img, main script, #graph foreignObject").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));

        // As of 1 June 2024 (the date field): only what was true then is drawn.
        await page.FillAsync("#asof-input", "2024-06-01T00:00");
        await page.WaitForFunctionAsync($"() => document.getElementById('graph').dataset.asOf !== '' && document.querySelectorAll('#graph g.node').length === {then.Nodes.Count}");
        labels = await Labels(page);
        Assert.Contains(labels, l => l.Contains("Lisbon", StringComparison.Ordinal));
        Assert.DoesNotContain(labels, l => l.Contains("Nimbus", StringComparison.Ordinal) || l.Contains("<img", StringComparison.Ordinal));
        Assert.Contains("2024", await page.TextContentAsync("#asof-text") ?? "", StringComparison.Ordinal);
        output.WriteLine($"screenshot: {await browser.ScreenshotAsync("memory-graph-2024")}");

        // The slider's first point (just after the first change) and back to now.
        await page.EvalOnSelectorAsync("#asof-slider", "s => { s.value = '0'; s.dispatchEvent(new Event('change')); }");
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('#graph g.node').length === {then.Nodes.Count} && document.getElementById('graph').dataset.asOf.startsWith('2024-01-10')");
        await page.ClickAsync("#asof-now");
        await page.WaitForFunctionAsync($"() => document.getElementById('graph').dataset.asOf === '' && document.querySelectorAll('#graph g.node').length === {now.Nodes.Count}");
        Assert.Empty(browser.Errors);
    }

    private static Task<string[]> Labels(IPage page) =>
        page.Locator("#graph g.node").EvaluateAllAsync<string[]>("els => els.map(e => e.querySelector('title').textContent)");
}
