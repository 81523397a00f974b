using System.Diagnostics;
using Agents.Inference.Offline;
using Agents.IngestCrash;
using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Graph;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;
using Npgsql;

namespace Agents.Tests.Integration.Memory.Pipelines;

/// <summary>
/// kill -9 of a process whose background stages write with <c>synchronous_commit = off</c>
/// (Rebuildable batches) while adds still arrive: after a restart every acknowledged add is there,
/// the pipelines finish, nothing is written twice, and the memories are those of a run that never crashed.
/// </summary>
public sealed class IngestCrashTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private const int Turns = 60;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Killed_during_background_stages_loses_no_acknowledged_add_and_finishes_without_duplicates()
    {
        var tenant = "t" + Guid.NewGuid().ToString("N")[..12];
        var scope = new MemoryScope(tenant, userId: "ann");
        var store = new PostgresMemoryStore(db.DataSource, new MemoryStoreOptions { Dimension = IngestCrashScript.Dimension });

        var acknowledged = await RunAndKillAsync(tenant, "ann", store, scope);
        Assert.True(acknowledged.Count >= 10, $"only {acknowledged.Count} adds were acknowledged before the kill");

        // Every acknowledged add is stored; what the process did not finish is pending.
        var stored = await store.ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Episode] }, 1000);
        Assert.Superset(acknowledged.ToHashSet(), stored.Select(e => e.Id).ToHashSet());
        Assert.True(await store.CountJobsAsync(scope, MemoryJobStatus.Pending) > 0, "the kill came after the background work had finished");

        // Restart (after the dead worker's lease, so the queue resumes in order) and finish.
        await Task.Delay(Lease + TimeSpan.FromMilliseconds(500));
        var embedder = new HashingEmbedder(new HashingEmbedderOptions { Dimensions = IngestCrashScript.Dimension });
        await using (var engine = new MemoryEngine(store, embedder, MemoryModels.Offline(), new MemoryEngineOptions { PollInterval = TimeSpan.FromMilliseconds(20) }))
        {
            await engine.StartAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await engine.WaitForIdleAsync(scope, timeout.Token);
        }
        Assert.Equal(0, await store.CountJobsAsync(scope, MemoryJobStatus.Pending));
        Assert.Equal(0, await store.CountJobsAsync(scope, MemoryJobStatus.Failed));
        // Listed again: an add the process sent just before the kill, unacknowledged, may still have committed
        // after the first list (the server finishes a batch it received whole).
        var episodes = await store.ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Episode] }, 1000);
        Assert.Superset(stored.Select(e => e.Id).ToHashSet(), episodes.Select(e => e.Id).ToHashSet());
        foreach (var episode in episodes)
            Assert.Equal(IngestJobHandler.Done, episode.Metadata[IngestJobHandler.StateKey]);

        // Nothing twice: one note per turn, one entity per name, one edge per (ends, type), one Add per record.
        var memories = await store.ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Note, MemoryKind.Fact, MemoryKind.Entity], IncludeExpired = true }, 10_000);
        Assert.Equal(episodes.Count, memories.Count(m => m.Kind == MemoryKind.Note));
        var entities = memories.Where(m => m.Kind == MemoryKind.Entity).ToList();
        Assert.Equal(entities.Count, entities.Select(e => e.Metadata[GraphPipeline.NameKey]).Distinct().Count());
        var liveFacts = memories.Where(m => m.Kind == MemoryKind.Fact && m.ExpiredAt is null).ToList();
        Assert.Equal(liveFacts.Count, liveFacts.Select(f => f.Content).Distinct().Count());
        var edges = await store.GetEdgesAsync(new EdgeQuery(tenant, memories.Select(m => m.Id).ToList()) { Direction = EdgeDirection.Outgoing, IncludeClosed = true, Limit = 100_000 });
        Assert.Equal(edges.Count, edges.Select(e => (e.FromId, e.ToId, e.Type)).Distinct().Count());
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM (SELECT record_id FROM memory_history WHERE tenant = @t AND event = 'Add' GROUP BY record_id HAVING count(*) > 1) twice", tenant));

        // The same memories as the same turns ingested without a crash.
        var reference = new MemoryScope(tenant, userId: "reference");
        await using (var engine = new MemoryEngine(store, embedder, MemoryModels.Offline(), new MemoryEngineOptions { PollInterval = TimeSpan.FromMilliseconds(20) }))
        {
            for (var i = 0; i < episodes.Count; i++) await engine.AddAsync(IngestCrashScript.Turn(reference, i));
            await engine.WaitForIdleAsync(reference);
        }
        Assert.Equal(await DescribeAsync(store, reference), await DescribeAsync(store, scope));
    }

    // Starts the process, kills it (SIGKILL) once adds are acknowledged and background work is under way
    // but not finished; returns the episode ids it acknowledged.
    private async Task<List<Guid>> RunAndKillAsync(string tenant, string user, PostgresMemoryStore store, MemoryScope scope)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                typeof(IngestCrashScript).Assembly.Location, "--pg", db.ConnectionString, "--tenant", tenant, "--user", user,
                "--turns", Turns.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--lease-ms", ((int)Lease.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start Agents.IngestCrash");
        var errors = process.StandardError.ReadToEndAsync();
        var acknowledged = new List<Guid>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("ACK ", StringComparison.Ordinal)) acknowledged.Add(Guid.Parse(line.Split(' ')[2]));
                if (line == "ADDED")
                {
                    // Every add is in: wait for the background work to be under way, while some is left.
                    while (true)
                    {
                        var (done, left) = await JobsAsync(store, scope, timeout.Token);
                        if (done >= 5 && left >= 2) break;
                        Assert.True(done < 5, "the background work finished before the kill could interrupt it");
                        await Task.Delay(5, timeout.Token);
                    }
                    break;
                }
                // Looked at every fifth add: each look is two counts, and the child's lines wait while it runs.
                if (acknowledged.Count < 20 || acknowledged.Count % 5 != 0) continue;
                if (await JobsAsync(store, scope, timeout.Token) is { Completed: >= 5, Pending: >= 2 }) break;
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no lease handed back
            await process.WaitForExitAsync(CancellationToken.None);
        }
        // Lines written before the kill and not read yet are acknowledgements too.
        while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } rest)
            if (rest.StartsWith("ACK ", StringComparison.Ordinal)) acknowledged.Add(Guid.Parse(rest.Split(' ')[2]));
        if (acknowledged.Count == 0) throw new InvalidOperationException($"Agents.IngestCrash acknowledged nothing: {await errors}");
        return acknowledged;
    }

    // The kill comes once five jobs are done and two at least are pending: the worker runs one job at a
    // time, so however late the kill follows this look, one is left unfinished.
    private static async Task<(long Completed, long Pending)> JobsAsync(PostgresMemoryStore store, MemoryScope scope, CancellationToken cancellationToken) =>
        (await store.CountJobsAsync(scope, MemoryJobStatus.Completed, cancellationToken), await store.CountJobsAsync(scope, MemoryJobStatus.Pending, cancellationToken));

    private static async Task<List<string>> DescribeAsync(IMemoryStore store, MemoryScope scope) =>
        (await store.ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Note, MemoryKind.Fact, MemoryKind.Entity], IncludeExpired = true }, 10_000))
        .Select(r => $"{r.Kind}|{r.Content}|{r.Context}|{string.Join(',', r.Tags)}|{string.Join(',', r.Keywords)}|{r.ExpiredAt is null}|{r.Version}")
        .Order(StringComparer.Ordinal).ToList();

    private async Task<long> ScalarAsync(string sql, string tenant)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter("t", tenant));
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
