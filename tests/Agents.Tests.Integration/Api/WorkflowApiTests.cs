using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Agents.Client.Api;
using Agents.Tests.Integration.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace Agents.Tests.Integration.Api;

/// <summary>
/// Every workflow endpoint through real HTTP: submit YAML and JSON (201), status with the answer and its
/// citations, the tenant's list, cancel (a running run ends cancelled), and the event stream — ordered
/// (ids 1, 2, ... ending at the terminal event), resumable (Last-Event-ID or <c>?after</c>, on a running
/// and on a finished run, gives exactly the rest), cancellable (a client that goes away frees its
/// request; cancelling the run ends the stream).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WorkflowApiTests(WorkflowApiFixture fixture) : IClassFixture<WorkflowApiFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private ApiHost Host => fixture.Host;

    [Fact]
    public async Task A_YAML_definition_runs_to_a_cited_answer_and_is_listed()
    {
        var key = await Host.CreateKeyAsync("wf-yaml");
        using var http = Host.Http(key);
        using var response = await http.PostAsync("api/v1/runs?id=brief-1", new StringContent(WorkflowApiFixture.Example("launch-brief.yaml"), Encoding.UTF8, "application/yaml"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        Assert.Equal("/api/v1/runs/brief-1", response.Headers.Location?.ToString());
        var started = JsonSerializer.Deserialize<RunView>(body, AgentsJson.Options)!;
        Assert.Equal(("brief-1", "launch-brief", "marketing"), (started.RunId, started.Name, started.Team));

        using var api = Host.Client(key);
        var events = await api.StreamEventsAsync("brief-1").ToListAsync().AsTask().WaitAsync(Patience);
        Assert.Equal("run.finished", events[^1].Type);

        var run = await api.GetRunAsync("brief-1");
        Assert.Equal("completed", run.Status);
        Assert.Contains("14 March", run.Answer, StringComparison.Ordinal);
        Assert.Contains("40,000 euros", run.Answer, StringComparison.Ordinal);
        Assert.NotEmpty(run.Citations);
        Assert.All(run.Citations, c => Assert.NotEqual(Guid.Empty, c.Id));
        Assert.Contains(run.Citations, c => c.Text.Contains("14 March", StringComparison.Ordinal));
        Assert.Equal(events[^1].Id, run.LastEventId);
        Assert.NotNull(run.FinishedAt);
        foreach (var citation in run.Citations) await api.GetAsync(citation.Id);   // a citation is a memory of the tenant

        // Starting the same id again returns the same run; nothing new is started.
        var again = await api.StartRunAsync(WorkflowApiFixture.Example("launch-brief.yaml"), "brief-1");
        Assert.Equal(("brief-1", "completed"), (again.RunId, again.Status));

        var list = await api.ListRunsAsync();
        var listed = Assert.Single(list.Runs);
        Assert.Equal(("brief-1", "launch-brief", "marketing", "completed"), (listed.RunId, listed.Name, listed.Team, listed.Status));
        Assert.NotNull(listed.FinishedAt);
        Assert.Single((await api.ListRunsAsync(status: "completed")).Runs);
        Assert.Empty((await api.ListRunsAsync(status: "running")).Runs);
    }

    private static readonly string[] Knowledge = ["The payments gateway outage was caused by an expired TLS certificate.", "The on-call engineer renewed the certificate at 03:10."];

    [Fact]
    public async Task A_JSON_definition_runs_too_and_the_list_is_newest_first()
    {
        var key = await Host.CreateKeyAsync("wf-json");
        using var http = Host.Http(key);
        const string definition = """
            {"name": "json-brief", "team": "ops", "task": "What caused the payments gateway outage?",
             "knowledge": ["The payments gateway outage was caused by an expired TLS certificate.", "The on-call engineer renewed the certificate at 03:10."],
             "agents": [{"id": "researcher", "role": "finds the facts"}, {"id": "writer", "role": "writes the answer"}],
             "topology": "sequential", "limits": {"steps": 6, "seconds": 120}, "on_error": "fail"}
            """;
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var response = await http.PostAsync("api/v1/runs", new StringContent(definition, Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, body);
            ids.Add(JsonSerializer.Deserialize<RunView>(body, AgentsJson.Options)!.RunId);
        }
        Assert.NotEqual(ids[0], ids[1]);

        using var api = Host.Client(key);
        foreach (var id in ids)
        {
            await api.StreamEventsAsync(id).LastAsync().AsTask().WaitAsync(Patience);
            var run = await api.GetRunAsync(id);
            Assert.True(run.Status == "completed", run.Error);
            Assert.False(string.IsNullOrWhiteSpace(run.Answer));
            Assert.NotEmpty(run.Citations);
            Assert.All(run.Citations, c => Assert.Contains(c.Text, Knowledge));   // cites what the JSON definition gave
        }
        Assert.Equal([ids[1], ids[0]], (await api.ListRunsAsync()).Runs.Select(r => r.RunId));
        Assert.Equal([ids[1]], (await api.ListRunsAsync(limit: 1)).Runs.Select(r => r.RunId));
    }

    [Fact]
    public async Task A_running_run_is_cancelled_and_its_stream_ends_with_the_cancellation()
    {
        var key = await Host.CreateKeyAsync("wf-cancel");
        using var api = Host.Client(key);
        var (gate, yaml) = WorkflowApiFixture.HeldWorkflow("cancel-team");
        try
        {
            var run = await api.StartRunAsync(yaml);
            Assert.Equal("running", run.Status);
            var streamed = new List<RunEventView>();
            var stream = Task.Run(async () =>
            {
                await foreach (var e in api.StreamEventsAsync(run.RunId)) lock (streamed) streamed.Add(e);
            });
            await Until(() => { lock (streamed) return streamed.Count > 0; });
            Assert.Equal("running", (await api.GetRunAsync(run.RunId)).Status);   // held in its preparation

            var cancelling = await api.CancelRunAsync(run.RunId);
            Assert.Equal(run.RunId, cancelling.RunId);
            await stream.WaitAsync(Patience);   // the stream ends by itself once the run is cancelled

            Assert.Equal("run.cancelled", streamed[^1].Type);
            Assert.Equal(Enumerable.Range(1, streamed.Count).Select(i => (long)i), streamed.Select(e => e.Id));
            var cancelled = await api.GetRunAsync(run.RunId);
            Assert.Equal("cancelled", cancelled.Status);
            Assert.Null(cancelled.Answer);
            Assert.Equal(run.RunId, Assert.Single((await api.ListRunsAsync(status: "cancelled")).Runs).RunId);
            Assert.Equal("cancelled", (await api.CancelRunAsync(run.RunId)).Status);   // cancelling again changes nothing
        }
        finally
        {
            GatedEnricher.Open(gate);
        }
    }

    [Fact]
    public async Task The_stream_is_ordered_and_resumes_exactly_on_a_running_and_on_a_finished_run()
    {
        var key = await Host.CreateKeyAsync("wf-sse");
        using var api = Host.Client(key);
        using var http = Host.Http(key);
        http.Timeout = Patience;   // the streams outlast the default time-out while the run is held
        var (gate, yaml) = WorkflowApiFixture.HeldWorkflow("sse-team");
        List<Sse> full, byHeader, byQuery;
        string runId;
        try
        {
            runId = (await api.StartRunAsync(yaml)).RunId;
            // While it runs (held after its first event): one stream from the start, two resumed after event 1.
            var fromStart = ReadAllAsync(http, $"api/v1/runs/{runId}/events");
            var resumedByHeader = ReadAllAsync(http, $"api/v1/runs/{runId}/events", lastEventId: 1);
            var resumedByQuery = ReadAllAsync(http, $"api/v1/runs/{runId}/events?after=1");
            await Until(async () => (await api.RunEventsAsync(runId)).Events.Count > 0);
            Assert.Equal("running", (await api.GetRunAsync(runId)).Status);
            GatedEnricher.Open(gate);
            full = await fromStart.WaitAsync(Patience);
            byHeader = await resumedByHeader.WaitAsync(Patience);
            byQuery = await resumedByQuery.WaitAsync(Patience);
        }
        finally
        {
            GatedEnricher.Open(gate);
        }

        // Ordered: ids 1..n without a gap, the id line matches the event's own, ending at the terminal event.
        var n = full.Count;
        Assert.True(n >= 6, $"only {n} events");
        Assert.Equal(Enumerable.Range(1, n).Select(i => (long)i), full.Select(e => e.Id));
        Assert.All(full, e => Assert.Equal((e.Id, e.Type), (e.View.Id, e.View.Type)));
        Assert.Equal("run.started", full[0].Type);
        Assert.Equal("run.finished", full[^1].Type);
        Assert.Single(full, e => e.View.IsFinal);
        var run = await api.GetRunAsync(runId);
        Assert.Equal(("completed", (long)n), (run.Status, run.LastEventId));
        // Resumed while running: exactly the rest.
        Assert.Equal(full.Skip(1).Select(e => e.Id), byHeader.Select(e => e.Id));
        Assert.Equal(full.Skip(1).Select(e => e.Id), byQuery.Select(e => e.Id));

        // Resumed after the run finished, from every point: exactly the rest, and the stream ends.
        foreach (var after in Enumerable.Range(0, n + 2))
        {
            var expected = full.Skip(after).Select(e => (e.Id, e.Type, e.View.Message)).ToList();
            Assert.Equal(expected, (await ReadAllAsync(http, $"api/v1/runs/{runId}/events", lastEventId: after)).Select(e => (e.Id, e.Type, e.View.Message)));
            Assert.Equal(expected, (await ReadAllAsync(http, $"api/v1/runs/{runId}/events?after={after}")).Select(e => (e.Id, e.Type, e.View.Message)));
            Assert.Equal(expected.Select(e => e.Id), await api.StreamEventsAsync(runId, after).Select(e => e.Id).ToListAsync());
        }
        // The header wins over the query (a browser's EventSource resends the URL it began with).
        Assert.Equal(full.Skip(3).Select(e => e.Id), (await ReadAllAsync(http, $"api/v1/runs/{runId}/events?after=1", lastEventId: 3)).Select(e => e.Id));

        // The JSON pages give the same events; Finished only on the page that reaches the end.
        var paged = new List<RunEventView>();
        for (long after = 0; ;)
        {
            var page = await api.RunEventsAsync(runId, after, max: 2);
            paged.AddRange(page.Events);
            if (page.Finished) break;
            Assert.NotEmpty(page.Events);
            after = page.Events[^1].Id;
        }
        Assert.Equal(full.Select(e => e.Id), paged.Select(e => e.Id));
    }

    [Fact]
    public async Task A_client_that_goes_away_frees_its_request()
    {
        var key = await Host.CreateKeyAsync("wf-disconnect");
        using var api = Host.Client(key);
        var (gate, yaml) = WorkflowApiFixture.HeldWorkflow("disconnect-team");
        using var active = new ActiveRequests(Host.Services);
        try
        {
            var runId = (await api.StartRunAsync(yaml)).RunId;
            await Until(() => active.Count == 0);
            using (var http = Host.Http(key))
            using (var response = await http.GetAsync($"api/v1/runs/{runId}/events", HttpCompletionOption.ResponseHeadersRead))
            {
                Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
                await using var body = await response.Content.ReadAsStreamAsync();
                await using var messages = ServerSentEvents.ReadAsync(body).GetAsyncEnumerator();
                Assert.True(await messages.MoveNextAsync());
                Assert.Equal("1", messages.Current.Id);
                Assert.Equal(1, active.Count);   // the stream, waiting on the held run
            }
            // The connection is gone: the server's request ends (its wait on the run is cancelled) well before the run does.
            await Until(() => active.Count == 0);
            Assert.Equal("running", (await api.GetRunAsync(runId)).Status);
            await api.CancelRunAsync(runId);
        }
        finally
        {
            GatedEnricher.Open(gate);
        }
    }

    [Fact]
    public async Task The_run_endpoints_are_in_the_OpenAPI_document()
    {
        using var http = Host.Http();
        var document = await http.GetStringAsync("openapi/v1.json");
        foreach (var path in new[] { "/api/v1/runs", "/api/v1/runs/{id}", "/api/v1/runs/{id}/cancel", "/api/v1/runs/{id}/events", "/api/v1/memories/graph" })
            Assert.Contains($"\"{path}\"", document, StringComparison.Ordinal);
    }

    /// <summary>One server-sent event: its id and event lines, and its data read as a run event.</summary>
    public sealed record Sse(long Id, string Type, RunEventView View);

    /// <summary>Reads a run's event stream over raw HTTP until the server ends it.</summary>
    public static async Task<List<Sse>> ReadAllAsync(HttpClient http, string path, long? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } last) request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<Sse>();
        await foreach (var m in ServerSentEvents.ReadAsync(await response.Content.ReadAsStreamAsync()))
            events.Add(new Sse(long.Parse(m.Id!, System.Globalization.CultureInfo.InvariantCulture), m.Event!, JsonSerializer.Deserialize<RunEventView>(m.Data, AgentsJson.Options)!));
        return events;
    }

    private static Task Until(Func<bool> condition) => Until(() => Task.FromResult(condition()));

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not come true in time.");
            await Task.Delay(50);
        }
    }

    /// <summary>ASP.NET Core's own count of requests in progress (<c>http.server.active_requests</c>) in one host
    /// (its meters are made by that host's meter factory).</summary>
    private sealed class ActiveRequests : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public ActiveRequests(IServiceProvider host)
        {
            var factory = host.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.active_requests" && ReferenceEquals(instrument.Meter.Scope, factory))
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
