using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Agents.Tests.Integration.Operations;

/// <summary>
/// An OTLP/HTTP receiver in the test process (Kestrel on 127.0.0.1): silos export to it with
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>. It keeps the
/// spans of <c>/v1/traces</c> and counts the metrics and logs exports it is sent.
/// </summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<OtlpSpan> _spans = new();
    private int _metricExports;
    private int _logExports;

    private OtlpCollector(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;
    public IReadOnlyList<OtlpSpan> Spans => _spans.ToArray();
    public int MetricExports => Volatile.Read(ref _metricExports);
    public int LogExports => Volatile.Read(ref _logExports);

    public static async Task<OtlpCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var collector = new OtlpCollector(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            foreach (var span in OtlpProtobuf.ReadTraces(body.ToArray())) collector._spans.Enqueue(span);
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", () => { Interlocked.Increment(ref collector._metricExports); return Results.Bytes([], "application/x-protobuf"); });
        app.MapPost("/v1/logs", () => { Interlocked.Increment(ref collector._logExports); return Results.Bytes([], "application/x-protobuf"); });
        await app.StartAsync();
        collector.Endpoint = new Uri(app.Urls.First());
        return collector;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
