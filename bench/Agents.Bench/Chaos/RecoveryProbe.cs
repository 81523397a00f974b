using System.Diagnostics;
using Agents.Client.Api;

namespace Agents.Bench.Chaos;

/// <summary>
/// After a fault, sweeps the cluster until it serves again: every live silo ready, one add into every
/// user's scope (each through the live silos in turn, so every scope's grain is reached wherever it now
/// lives) and one workflow run started, each answered within 10 s. The seconds from the fault to the end of the
/// first sweep that fully succeeds are the recovery. Acknowledged sweep adds and runs join the load's,
/// so they too are checked at the end.
/// </summary>
internal sealed class RecoveryProbe(IChaosCluster cluster, ChaosLoad load, string tenantKey, int users, TimeSpan limit)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <returns>Seconds from the fault to recovery; null when the cluster did not recover within the limit.</returns>
    public async Task<double?> MeasureAsync(string fault, IReadOnlyList<string> live, Stopwatch sinceFault)
    {
        var clients = live.Select(s => (Silo: s, Client: new AgentsHttpClient(cluster.Api(s), tenantKey, new HttpClient { Timeout = RequestTimeout }))).ToArray();
        using var health = new HttpClient { Timeout = RequestTimeout };
        try
        {
            for (var sweep = 0; sinceFault.Elapsed < limit; sweep++)
            {
                var failures = await SweepAsync(fault, sweep, clients, health);
                if (failures.Count == 0) return sinceFault.Elapsed.TotalSeconds;
                // What still fails, now and then: the faults' windows in words.
                if (sweep % 4 == 0)
                    Console.WriteLine($"  {sinceFault.Elapsed.TotalSeconds,5:F1} s after '{fault}': {failures.Count} of {users + live.Count + 1} probes failed, e.g. {failures[0]}");
                await Task.Delay(250);
            }
        }
        finally
        {
            foreach (var (_, client) in clients) client.Dispose();
        }
        Console.WriteLine($"  after '{fault}' the cluster did not serve every scope within {limit.TotalSeconds:F0} s");
        return null;
    }

    private async Task<IReadOnlyList<string>> SweepAsync(string fault, int sweep, (string Silo, AgentsHttpClient Client)[] clients, HttpClient health)
    {
        var ready = clients.Select(async Task<string?> (c) =>
        {
            try
            {
                using var response = await health.GetAsync(new Uri(cluster.Api(c.Silo), "health/ready"));
                return response.IsSuccessStatusCode ? null : $"{c.Silo} not ready ({(int)response.StatusCode})";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return $"{c.Silo} not ready ({Brief(e)})"; }
        });
        var adds = Enumerable.Range(0, users).Select(async Task<string?> (u) =>
        {
            var (silo, client) = clients[(u + sweep) % clients.Length];
            var key = $"probe-{fault}-{sweep}-{u}";
            try
            {
                var receipt = await client.AddAsync(new AddMemoryRequest { UserId = $"user-{u}", Text = $"Probe {sweep} after {fault}: scope of user {u} answers.", IdempotencyKey = key });
                load.Record(new AckedWrite($"user-{u}", key, receipt.EpisodeId, silo, DateTimeOffset.UtcNow));
                return null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or AgentsApiException) { return $"add for user-{u} via {silo}: {Brief(e)}"; }
        });
        var run = Task.Run<string?>(async () =>
        {
            var runId = $"probe-{fault}-{sweep}-{Guid.NewGuid():N}"[..30];
            load.RecordRun(runId, acknowledged: false);
            try
            {
                await clients[sweep % clients.Length].Client.StartRunAsync(ChaosLoad.Definition(sweep), runId);
                load.RecordRun(runId, acknowledged: true);
                return null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or AgentsApiException) { return $"run start: {Brief(e)}"; }
        });
        var results = await Task.WhenAll(ready.Concat(adds).Append(run));
        return results.OfType<string>().ToList();
    }

    private static string Brief(Exception e)
    {
        var text = e is TaskCanceledException ? "timed out" : e.Message;
        var line = text.Split('\n')[0];
        return line.Length > 160 ? line[..160] + "..." : line;
    }
}
