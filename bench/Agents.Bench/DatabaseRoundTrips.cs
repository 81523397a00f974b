using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Agents.Bench;

/// <summary>
/// Counts the process's PostgreSQL round trips (one per command or batch Npgsql runs, from its
/// <c>db.client.operation.duration</c> metric) and their client-side time: a measure of a change that the
/// machine's load does not move, unlike the wall clock.
/// </summary>
public sealed class DatabaseRoundTrips : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;
    private long _microseconds;

    private readonly ActivityListener? _statements;
    private readonly ConcurrentDictionary<string, (long Count, double Milliseconds)> _byStatement = new(StringComparer.Ordinal);

    /// <param name="byStatement">Also tally them by statement (Npgsql's tracing; costs a little per command).</param>
    public DatabaseRoundTrips(bool byStatement = false)
    {
        if (byStatement)
        {
            _statements = new ActivityListener
            {
                ShouldListenTo = static source => source.Name == "Npgsql",
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    var text = activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? activity.DisplayName;
                    var key = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                    if (key.Length > 110) key = key[..110];
                    _byStatement.AddOrUpdate(key, (1, activity.Duration.TotalMilliseconds), (_, v) => (v.Count + 1, v.Milliseconds + activity.Duration.TotalMilliseconds));
                },
            };
            ActivitySource.AddActivityListener(_statements);
        }
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Npgsql" && instrument.Name == "db.client.operation.duration") listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _microseconds, (long)(seconds * 1e6));
        });
        _listener.Start();
    }

    /// <summary>Round trips so far, and their summed time in ms (overlapping ones each count).</summary>
    public (long Count, double Milliseconds) Snapshot() => (Interlocked.Read(ref _count), Interlocked.Read(ref _microseconds) / 1000.0);

    /// <summary>The statements (batches as Npgsql names them) by count, most frequent first.</summary>
    public IReadOnlyList<(string Statement, long Count, double Milliseconds)> ByStatement() =>
        _byStatement.Select(static p => (p.Key, p.Value.Count, p.Value.Milliseconds)).OrderByDescending(static p => p.Count).ToList();

    public void Dispose()
    {
        _listener.Dispose();
        _statements?.Dispose();
    }
}
