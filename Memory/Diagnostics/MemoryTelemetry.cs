using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Agents.Memory.Model;

namespace Agents.Memory.Diagnostics;

/// <summary>
/// The memory layer's metrics (meter <c>Agents.Memory</c>): store call latency, the background
/// pipeline's lag, the time from an input's job being queued to its end, overall and, for the scopes
/// with a job running in this process, per scope, and where an ingest job's own time goes.
/// System.Diagnostics only: OpenTelemetry (or dotnet-counters) listens by name.
/// </summary>
public static class MemoryTelemetry
{
    public const string Name = "Agents.Memory";

    public static readonly Meter Meter = new(Name, "1.0.0");

    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] LagBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private static readonly Histogram<double> StoreDuration = Meter.CreateHistogram(
        "agents.memory.store.duration", "s", "Duration of memory store calls, by operation and store.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Histogram<double> PipelineLag = Meter.CreateHistogram(
        "agents.memory.pipeline.lag", "s", "Time from a pipeline job being queued to its end, by job kind and outcome.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });

    /// <summary>The histogram of <see cref="RecordJobStage"/>, tagged <c>agents.memory.job.stage</c>.</summary>
    public const string JobStageDurationName = "agents.memory.pipeline.stage.duration";

    private static readonly Histogram<double> JobStageDuration = Meter.CreateHistogram(
        JobStageDurationName, "s", "An ingest job's stages when it writes in one batch: read (its start to its first read's answer), decide (the stages' decisions), write (its batch).",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    // The scopes with a job running in this process now, with how long that job had waited.
    private static readonly ConcurrentDictionary<string, double> ScopeLag = new(StringComparer.Ordinal);

    static MemoryTelemetry()
    {
        Meter.CreateObservableGauge("agents.memory.pipeline.scope_lag",
            () => ScopeLag.Select(e => new Measurement<double>(e.Value, new KeyValuePair<string, object?>("agents.memory.scope", e.Key))),
            "s", "Per scope with a job running in this process: how long that job waited since it was queued.");
    }

    /// <summary>Records one store call (<paramref name="started"/>: <see cref="Stopwatch.GetTimestamp"/> at its start).</summary>
    public static void RecordStoreCall(string store, string operation, long started, bool failed)
    {
        if (!StoreDuration.Enabled) return;
        StoreDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("agents.memory.store", store),
            new KeyValuePair<string, object?>("agents.memory.operation", operation),
            new KeyValuePair<string, object?>("error.type", failed ? "exception" : null));
    }

    /// <summary>Records one stage of an ingest job ("read", "decide", "write"), from <paramref name="started"/>
    /// (<see cref="Stopwatch.GetTimestamp"/>) to now.</summary>
    public static void RecordJobStage(string stage, long started)
    {
        if (!JobStageDuration.Enabled) return;
        JobStageDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("agents.memory.job.stage", stage));
    }

    /// <summary>A job of <paramref name="job"/>'s scope starts now: its wait so far is the scope's current lag.</summary>
    public static void JobStarted(MemoryJob job, DateTimeOffset now) =>
        ScopeLag[ScopeKey(job.Scope)] = Math.Max(0, (now - job.EnqueuedAt).TotalSeconds);

    /// <summary>A job ended (<paramref name="outcome"/>: completed, retry, failed, interrupted).</summary>
    public static void JobEnded(MemoryJob job, DateTimeOffset now, string outcome)
    {
        ScopeLag.TryRemove(ScopeKey(job.Scope), out _);
        if (!PipelineLag.Enabled) return;
        PipelineLag.Record(Math.Max(0, (now - job.EnqueuedAt).TotalSeconds),
            new KeyValuePair<string, object?>("agents.memory.job.kind", job.Kind),
            new KeyValuePair<string, object?>("agents.memory.job.outcome", outcome));
    }

    private static string ScopeKey(MemoryScope scope) => scope.ToString();
}
