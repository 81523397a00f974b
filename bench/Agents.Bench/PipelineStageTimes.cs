using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Agents.Memory.Diagnostics;

namespace Agents.Bench;

/// <summary>
/// Sums the ingest jobs' stage times the engine reports (<see cref="MemoryTelemetry.RecordJobStage"/>:
/// read, decide, write) in this process, so a run can say where a job's time goes.
/// </summary>
public sealed class PipelineStageTimes : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, (long Count, double Milliseconds)> _byStage = new(StringComparer.Ordinal);

    public PipelineStageTimes()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MemoryTelemetry.Name && instrument.Name == MemoryTelemetry.JobStageDurationName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Value is string stage)
                    _byStage.AddOrUpdate(stage, (1, seconds * 1000), (_, v) => (v.Count + 1, v.Milliseconds + seconds * 1000));
        });
        _listener.Start();
    }

    /// <summary>Each stage's count and summed time in ms so far.</summary>
    public IReadOnlyDictionary<string, (long Count, double Milliseconds)> Snapshot() => new Dictionary<string, (long, double)>(_byStage);

    /// <summary>Adds to <paramref name="sums"/> what each stage took between two snapshots.</summary>
    public static void AddDelta(Dictionary<string, (long Count, double Milliseconds)> sums,
        IReadOnlyDictionary<string, (long Count, double Milliseconds)> before, IReadOnlyDictionary<string, (long Count, double Milliseconds)> after)
    {
        foreach (var (stage, (count, ms)) in after)
        {
            var (count0, ms0) = before.GetValueOrDefault(stage);
            var (sum, summed) = sums.GetValueOrDefault(stage);
            sums[stage] = (sum + count - count0, summed + ms - ms0);
        }
    }

    /// <summary>The mean time of each stage per job, as "read 0.70 ms, decide 1.05 ms, write 4.80 ms".</summary>
    public static string MeanPerJob(IReadOnlyDictionary<string, (long Count, double Milliseconds)> sums) =>
        string.Join(", ", new[] { "read", "decide", "write" }.Select(stage =>
        {
            var (count, ms) = sums.GetValueOrDefault(stage);
            return FormattableString.Invariant($"{stage} {ms / Math.Max(1, count):F2} ms");
        }));

    public void Dispose() => _listener.Dispose();
}
