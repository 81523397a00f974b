using System.Collections.Concurrent;
using System.Net;
using Agents.Client.Api;

namespace Agents.Bench.Chaos;

/// <summary>
/// The end of the chaos suite: reads back every acknowledged add (each user's episodes listed through
/// the silos in turn; one missing from the list is asked for by id before it counts as lost), and waits
/// for every started run to end, finished or failed with a reason.
/// </summary>
internal sealed class ChaosVerifier(IChaosCluster cluster, string tenantKey)
{
    public sealed record WriteCheck(int Lost, IReadOnlyList<string> Examples);
    public sealed record RunCheck(int Started, int Completed, int Failed, int Unaccounted, IReadOnlyDictionary<string, int> Reasons, IReadOnlyList<string> Examples);

    private AgentsHttpClient[] Clients() =>
        cluster.Silos.Select(s => new AgentsHttpClient(cluster.Api(s), tenantKey, new HttpClient { Timeout = TimeSpan.FromSeconds(30) })).ToArray();

    public async Task<WriteCheck> WritesAsync(IReadOnlyList<AckedWrite> acked)
    {
        var clients = Clients();
        try
        {
            var missing = new ConcurrentBag<AckedWrite>();
            var turn = 0;
            await Parallel.ForEachAsync(acked.GroupBy(w => w.User), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (user, _) =>
            {
                var client = clients[Interlocked.Increment(ref turn) % clients.Length];
                var found = new HashSet<Guid>();
                for (var offset = 0; ; offset += 1000)
                {
                    var page = await Retry(() => client.ListAsync(new ListMemoryRequest(new MemoryScopeIds(user.Key, null, null, null), 1000, offset, ["episode"])));
                    foreach (var memory in page.Results) found.Add(memory.Id);
                    if (page.Results.Count < 1000) break;
                }
                foreach (var write in user.Where(w => !found.Contains(w.EpisodeId))) missing.Add(write);
            });
            var lost = new List<string>();
            foreach (var write in missing)
            {
                try { await Retry(() => clients[0].GetAsync(write.EpisodeId)); }
                catch (AgentsApiException e) when (e.Status == HttpStatusCode.NotFound) { lost.Add($"{write.IdempotencyKey} ({write.User}, acknowledged by {write.Silo} at {write.At:HH:mm:ss.fff})"); }
            }
            return new WriteCheck(lost.Count, lost.Take(5).ToList());
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    public async Task<RunCheck> RunsAsync(IReadOnlyDictionary<string, bool> runs, TimeSpan drain)
    {
        var clients = Clients();
        try
        {
            var until = DateTime.UtcNow + drain;
            var views = new Dictionary<string, RunView?>();
            var pending = runs.Keys.ToList();
            while (true)
            {
                var turn = 0;
                var seen = new ConcurrentDictionary<string, RunView?>();
                await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (runId, _) =>
                {
                    var client = clients[Interlocked.Increment(ref turn) % clients.Length];
                    try { seen[runId] = await Retry(() => client.GetRunAsync(runId)); }
                    catch (AgentsApiException e) when (e.Status == HttpStatusCode.NotFound) { seen[runId] = null; }
                });
                foreach (var (runId, view) in seen) views[runId] = view;
                pending = views.Where(v => v.Value is { } r && !Ended(r)).Select(v => v.Key).ToList();
                if (pending.Count == 0 || DateTime.UtcNow > until) break;
                await Task.Delay(2000);
            }

            int started = 0, completed = 0, failed = 0;
            var unaccounted = new List<string>();
            var reasons = new Dictionary<string, int>();
            foreach (var (runId, acknowledged) in runs)
            {
                var view = views.GetValueOrDefault(runId);
                if (view is null && !acknowledged) continue;   // never acknowledged and not there: never started
                started++;
                if (view is null) { unaccounted.Add($"{runId}: acknowledged but not found"); continue; }
                if (Is(view, "completed")) completed++;
                else if ((Is(view, "failed") || Is(view, "cancelled")) && !string.IsNullOrWhiteSpace(view.Error))
                {
                    failed++;
                    reasons[view.Error!] = reasons.GetValueOrDefault(view.Error!) + 1;
                }
                else unaccounted.Add($"{runId}: {view.Status}{(view.Error is null ? "" : $" ({view.Error})")}, {view.Steps} steps, last event {view.LastEventId}, started {view.StartedAt:HH:mm:ss}, on {view.Silo}");
            }
            return new RunCheck(started, completed, failed, unaccounted.Count, reasons, unaccounted.Take(5).ToList());
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    private static bool Is(RunView run, string status) => string.Equals(run.Status, status, StringComparison.OrdinalIgnoreCase);
    private static bool Ended(RunView run) => !Is(run, "running") && !Is(run, "pending");

    /// <summary>The cluster is whole again by now; a transient error (a request racing a restart) is retried.</summary>
    private static async Task<T> Retry<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await call(); }
            catch (Exception e) when (attempt < 5 && (e is HttpRequestException or TaskCanceledException || e is AgentsApiException { Status: not HttpStatusCode.NotFound }))
            {
                await Task.Delay(1000 * attempt);
            }
        }
    }
}
