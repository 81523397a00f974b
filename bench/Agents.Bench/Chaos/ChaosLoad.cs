using System.Collections.Concurrent;
using Agents.Client.Api;

namespace Agents.Bench.Chaos;

/// <summary>
/// The steady load of the chaos suite, all through the HTTP API of the silos in turn: writers adding
/// memories (a failed add is retried on the next silo with the same idempotency key until acknowledged
/// or given up) and a starter of workflow runs (a failed start is retried with the same run id). It
/// keeps what was acknowledged: those adds must all be readable at the end, those runs must all end.
/// Requests to a silo known to be down (killed or cut off) are skipped, as a load balancer's health
/// check would; the faults' windows still show in the failures, and a stale pick just fails and moves on.
/// </summary>
internal sealed class ChaosLoad(IChaosCluster cluster, string tenantKey, int writers, int users, TimeSpan runEvery)
{
    private readonly ConcurrentQueue<AckedWrite> _acked = new();
    private readonly ConcurrentDictionary<string, bool> _runs = new();   // run id -> acknowledged
    private readonly ConcurrentDictionary<string, bool> _down = new();
    private long _attempts, _failures, _givenUp, _runAttempts, _runFailures;

    public IReadOnlyList<AckedWrite> Acked => _acked.ToArray();
    /// <summary>Every run id a start was sent for, and whether one of the starts was acknowledged.</summary>
    public IReadOnlyDictionary<string, bool> Runs => _runs;
    public long Attempts => Interlocked.Read(ref _attempts);
    public long Failures => Interlocked.Read(ref _failures);
    public long GivenUp => Interlocked.Read(ref _givenUp);
    public long RunAttempts => Interlocked.Read(ref _runAttempts);
    public long RunFailures => Interlocked.Read(ref _runFailures);

    public void MarkDown(string silo) => _down[silo] = true;
    public void MarkUp(string silo) => _down.TryRemove(silo, out _);
    public void Record(AckedWrite write) => _acked.Enqueue(write);
    public void RecordRun(string runId, bool acknowledged) => _runs.AddOrUpdate(runId, acknowledged, (_, was) => was || acknowledged);

    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(w => WriteLoopAsync(w, stop)).Append(RunLoopAsync(stop)));

    private (string Silo, AgentsHttpClient Client)[] Clients() =>
        cluster.Silos.Select(s => (s, new AgentsHttpClient(cluster.Api(s), tenantKey, new HttpClient { Timeout = TimeSpan.FromSeconds(8) }))).ToArray();

    private (string Silo, AgentsHttpClient Client) Next((string Silo, AgentsHttpClient Client)[] clients, ref int turn)
    {
        for (var i = 0; i < clients.Length; i++)
        {
            var pick = clients[turn++ % clients.Length];
            if (!_down.ContainsKey(pick.Silo)) return pick;
        }
        return clients[turn++ % clients.Length];
    }

    private async Task WriteLoopAsync(int writer, CancellationToken stop)
    {
        var clients = Clients();
        var turn = writer;
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var user = $"user-{(writer * 7 + n) % users}";
            var key = $"chaos-{writer}-{n}";
            var giveUpAt = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                var (silo, api) = Next(clients, ref turn);
                Interlocked.Increment(ref _attempts);
                try
                {
                    var receipt = await api.AddAsync(new AddMemoryRequest { UserId = user, Text = $"Fact {n} from writer {writer}: parcel {key} is on shelf {n % 97}.", IdempotencyKey = key }, CancellationToken.None);
                    _acked.Enqueue(new AckedWrite(user, key, receipt.EpisodeId, silo, DateTimeOffset.UtcNow));
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or AgentsApiException)
                {
                    Interlocked.Increment(ref _failures);
                    if (DateTime.UtcNow > giveUpAt || stop.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref _givenUp);   // never acknowledged: not owed
                        break;
                    }
                    await Task.Delay(200, CancellationToken.None);
                }
            }
            await Task.Delay(50, CancellationToken.None);
        }
        foreach (var (_, api) in clients) api.Dispose();
    }

    private async Task RunLoopAsync(CancellationToken stop)
    {
        var clients = Clients();
        var turn = 0;
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var runId = $"chaos-{n:D5}-{Guid.NewGuid():N}"[..24];
            _runs[runId] = false;
            var giveUpAt = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < giveUpAt && !stop.IsCancellationRequested)
            {
                var (_, api) = Next(clients, ref turn);
                Interlocked.Increment(ref _runAttempts);
                try
                {
                    // A start repeated with the same run id returns the run: safe to retry anywhere.
                    await api.StartRunAsync(Definition(n), runId, CancellationToken.None);
                    _runs[runId] = true;
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or AgentsApiException)
                {
                    Interlocked.Increment(ref _runFailures);
                    await Task.Delay(500, CancellationToken.None);
                }
            }
            try { await Task.Delay(runEvery, stop); } catch (OperationCanceledException) { }
        }
        foreach (var (_, api) in clients) api.Dispose();
    }

    /// <summary>A small offline pipeline over a team's memory (as examples/launch-brief.yaml).</summary>
    public static string Definition(int n) => $$"""
        name: chaos
        team: team-{{n % 6}}
        task: "When is the Aurora launch and what is its budget?"
        knowledge:
          - "The Aurora launch is set for 14 March in Lisbon."
          - "Aurora's launch budget is 40,000 euros."
        agents:
          - id: researcher
            role: finds the facts the task needs
          - id: writer
            role: writes the final answer
        topology: sequential
        limits: { steps: 8, seconds: 240 }
        on_error: fail
        """;
}
