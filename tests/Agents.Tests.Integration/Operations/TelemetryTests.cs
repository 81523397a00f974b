using Agents.Abstractions;
using Agents.Abstractions.Workflows;
using Agents.Client;
using Agents.Tests.Integration.Infrastructure;
using Agents.Tests.Integration.Llm;
using Xunit.Abstractions;
using static Agents.Tests.Integration.Infrastructure.ClusterPolling;

namespace Agents.Tests.Integration.Operations;

/// <summary>
/// Two product silos (the Silo executable, configured by environment) export OpenTelemetry over
/// OTLP/HTTP to a collector in the test. A workflow run starts on one; that silo is stopped gracefully
/// (SIGTERM) mid-run and hands the run to the other, where it finishes at once (no reminder wait). The
/// run is one trace: its spans from both silos carry the run's trace id and every parent is in it.
/// </summary>
public sealed class TelemetryTests(PostgresDatabase db, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task One_workflow_run_is_one_trace_across_two_silos_received_over_otlp()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var model = await ScriptedOpenAiServer.StartAsync();
        model.AnswerOtherwiseWith(_ => ScriptedResponse.Chat("Noted: the Aurora launch is on 14 March [1].") with { Delay = TimeSpan.FromMilliseconds(700) });
        var cluster = $"otel-{Guid.NewGuid():N}"[..16];
        var environment = new Dictionary<string, string>
        {
            ["Agents__Postgres"] = db.ConnectionString,
            ["Agents__Silo__ClusterId"] = cluster,
            ["Agents__Silo__ServiceId"] = cluster,
            ["Agents__Http__Urls"] = "http://127.0.0.1:0",
            ["Agents__Llm__BaseUrl"] = model.BaseUrl.ToString(),
            ["Agents__Llm__ChatModel"] = "scripted-chat",
            ["Agents__Llm__MaxRetries"] = "0",
            ["Agents__Memory__Models"] = "offline",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "agents-test",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        };
        var silos = new List<ProductSilo>();
        foreach (var name in new[] { "otel-a", "otel-b" }) silos.Add(await ProductSilo.StartAsync(name, environment));
        try
        {
            await using var client = await AgentsClient.ConnectAsync(new AgentsClientOptions { ClusterId = cluster, Postgres = db.ConnectionString, ResponseTimeout = TimeSpan.FromSeconds(15) });
            var agents = Enumerable.Range(1, 4).Select(i => new WorkflowAgent($"a{i}", "notes what matters")).ToArray();
            var definition = new WorkflowDefinition("traced", "crew", "When is the Aurora launch?", agents,
                Limits: new WorkflowLimits(12, 300), Knowledge: ["The Aurora launch is set for 14 March in Lisbon."]);
            var runId = WorkflowRunKey.NewRunId();
            var run = client.Cluster.GetGrain<IWorkflowGrain>(new WorkflowRunKey("ops", runId).ToString());
            await run.StartAsync(definition);

            // After the first step, the run's silo is stopped as Docker or Kubernetes stops a container.
            await Until(async () => (await run.EventsAsync(0, 1000, TimeSpan.FromSeconds(1))).Any(e => e.Type == WorkflowEventType.StepFinished), TimeSpan.FromSeconds(60));
            var first = (await run.StatusAsync()).Silo;
            var stopped = silos.Single(s => s.Address == first);
            var stoppedAt = DateTime.UtcNow;
            await stopped.StopGracefullyAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"stopped {stopped.Name} ({first}) after step 1 in {(DateTime.UtcNow - stoppedAt).TotalSeconds:F1} s");
            var handoff = stopped.Output.Split('\n').FirstOrDefault(l => l.Contains("Handed ", StringComparison.Ordinal)) ?? "";
            output.WriteLine(handoff);
            // The stopping silo moved the running run (at least) to the other one.
            Assert.Matches(@"Handed [1-9]\d* of \d+ workflow runs", handoff);

            WorkflowRunStatus status = null!;
            await Until(async () => WorkflowRunState.IsFinished((status = await run.StatusAsync()).State), TimeSpan.FromSeconds(90));
            var handedOff = DateTime.UtcNow - stoppedAt;
            output.WriteLine($"run {status.State} on {status.Silo}, {handedOff.TotalSeconds:F1} s after the stop began");
            Assert.True(status.State == WorkflowRunState.Completed, status.Error);
            Assert.NotEqual(first, status.Silo);
            // Handed off, not resumed by its reminder (a minute) nor by this client's polling alone: the
            // remaining three steps take about three model delays.
            Assert.True(handedOff < TimeSpan.FromSeconds(45), $"the run finished {handedOff.TotalSeconds:F0} s after its silo began to stop");

            // The run's spans: the trace of its workflow.run span, from both silos, every parent in it.
            IReadOnlyList<OtlpSpan> trace = [];
            await Until(() =>
            {
                var end = collector.Spans.FirstOrDefault(s => s.Name == "workflow.run" && s.Attributes.GetValueOrDefault("agents.workflow.run") == runId);
                if (end is null) return Task.FromResult(false);
                trace = collector.Spans.Where(s => s.TraceId == end.TraceId).ToList();
                var ids = trace.Select(s => s.SpanId).ToHashSet();
                return Task.FromResult(trace.All(s => s.ParentSpanId is null || ids.Contains(s.ParentSpanId)));
            }, TimeSpan.FromSeconds(30));
            foreach (var span in trace.OrderBy(s => s.Instance).ThenBy(s => s.Name))
                output.WriteLine($"{span.Instance} {span.Scope} {span.Name} {span.SpanId} <- {span.ParentSpanId}");

            Assert.Equal(["otel-a", "otel-b"], trace.Select(s => s.Instance).Distinct().Order());
            Assert.Contains(trace, s => s.Name == "workflow.start" && s.Instance == stopped.Name);
            Assert.Contains(trace, s => s.Name == "workflow.run" && s.Instance != stopped.Name);
            // Each of the four steps; one the cluster failed (its silo stopping under it) ran again, with a span of its own.
            Assert.Equal(["1", "2", "3", "4"], trace.Where(s => s.Name == "workflow.step").Select(s => s.Attributes.GetValueOrDefault("agents.workflow.step") ?? "").Distinct().Order());
            Assert.Contains(trace, s => s.Scope == "Microsoft.Orleans.Application");   // grain calls made by the run
            Assert.All(trace, s => Assert.Equal("agents-test", s.Service));
            Assert.True(collector.MetricExports > 0, "no metrics were exported");
        }
        finally
        {
            await Task.WhenAll(silos.Select(s => s.DisposeAsync().AsTask()));
        }
    }
}
