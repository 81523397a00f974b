using Agents.Abstractions;
using Agents.Abstractions.Memory;
using Agents.Client;
using Agents.Tests.Integration.Infrastructure;
using Agents.TestSilo;
using Xunit.Abstractions;

namespace Agents.Tests.Integration.Cluster;

/// <summary>
/// Three silos as separate OS processes on ADO.NET clustering over PostgreSQL. One is killed with
/// SIGKILL while a client writes to 200 persistent grains and adds memories to 20 scopes, retrying
/// what fails. Afterwards every grain answers, no acknowledged write is lost, and every acknowledged
/// memory is searchable, once.
/// </summary>
public sealed class ProcessFailoverTests(PostgresDatabase db, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] Items = ["anchors", "barometers", "candles", "drums", "easels", "flutes", "globes", "hammocks", "inkwells", "jigsaws"];

    [Fact]
    public async Task Kill_minus_nine_loses_no_acknowledged_write_and_no_acknowledged_memory()
    {
        var cluster = $"failover-{Guid.NewGuid():N}"[..20];
        var silos = new List<SiloProcess>();
        foreach (var i in Enumerable.Range(1, 3)) silos.Add(await SiloProcess.StartAsync(db.ConnectionString, cluster, $"proc{i}"));
        try
        {
            await using var client = await AgentsClient.ConnectAsync(new AgentsClientOptions
            {
                ClusterId = cluster, Postgres = db.ConnectionString, ResponseTimeout = TimeSpan.FromSeconds(10),
            });
            var grains = client.Cluster;

            var keys = Enumerable.Range(0, 200).Select(i => $"ledger-{i}").ToArray();
            var placed = await Task.WhenAll(keys.Select(k => grains.GetGrain<ILedgerGrain>(k).WhereAsync()));
            var scopes = Enumerable.Range(0, 20).Select(i => ScopeRef.ForUser($"owner-{i}", "failover")).ToArray();
            var owners = await Task.WhenAll(scopes.Select(s => grains.GetGrain<IMemoryGrain>(s.ToGrainKey()).PipelineStatusAsync()));
            // The victim owns memory scopes and as many ledger grains as can be (placement by resource
            // use may keep the scopes off the silo that holds the most ledgers).
            var victim = silos.OrderByDescending(s => owners.Any(o => o.Silo == s.Address)).ThenByDescending(s => placed.Count(p => p == s.Name)).First();
            Assert.True(placed.Count(p => p == victim.Name) > 0, "no grain was placed on the victim");
            var scopesOnVictim = owners.Count(o => o.Silo == victim.Address);
            Assert.True(scopesOnVictim > 0, "no memory scope was owned by the victim");
            var ledger = keys.ToDictionary(k => k, _ => new List<int>());
            var memories = new List<(ScopeRef Scope, string Text, string Source)>();
            var retries = 0;
            for (var round = 0; round < 5; round++)
            {
                if (round == 2) victim.KillHard();
                var writes = keys.Select(async key =>
                {
                    await Retry(() => grains.GetGrain<ILedgerGrain>(key).AppendAsync(round), () => Interlocked.Increment(ref retries));
                    lock (ledger) ledger[key].Add(round);
                });
                var r = round;
                var adds = scopes.Select(async (scope, i) =>
                {
                    var source = $"s{i}-r{r}";
                    var text = $"Crate {i * 10 + r} in aisle {r} holds {Items[(i + r) % Items.Length]} for owner {i}.";
                    var input = new MemoryInput([new TurnInput("clerk", text, source)], T0.AddMinutes(r));   // one input, resent as it is
                    await Retry(() => grains.GetGrain<IMemoryGrain>(scope.ToGrainKey()).AddAsync(input), () => Interlocked.Increment(ref retries));
                    lock (memories) memories.Add((scope, text, source));
                });
                await Task.WhenAll(writes.Concat(adds));
            }

            output.WriteLine($"victim {victim.Name}: {placed.Count(p => p == victim.Name)} ledger grains, {scopesOnVictim} memory scopes; {retries} calls retried");
            foreach (var key in keys)
            {
                var entries = await grains.GetGrain<ILedgerGrain>(key).EntriesAsync();
                Assert.All(ledger[key], sequence => Assert.Contains(sequence, entries));
                Assert.NotEqual(victim.Name, await grains.GetGrain<ILedgerGrain>(key).WhereAsync());
            }

            Assert.Equal(scopes.Length * 5, memories.Count);
            foreach (var scope in scopes)
                await Retry(() => grains.GetGrain<IMemoryGrain>(scope.ToGrainKey()).WaitForIdleAsync(), () => { });
            foreach (var (scope, text, source) in memories)
            {
                var memory = grains.GetGrain<IMemoryGrain>(scope.ToGrainKey());
                var hits = await memory.SearchAsync(new MemoryQuery(text, 5));
                Assert.True(hits.Any(h => h.Sources.Contains(source)), $"memory {source} ('{text}') is not found");
            }
            foreach (var scope in scopes)
            {
                var notes = (await grains.GetGrain<IMemoryGrain>(scope.ToGrainKey()).GetAllAsync(1000)).Where(h => h.Kind == "note").ToArray();
                Assert.Equal(5, notes.Length);                                               // a retried add stored nothing twice
                Assert.Equal(5, notes.SelectMany(n => n.Sources.Where(s => s.StartsWith('s'))).Distinct().Count());
            }
        }
        finally
        {
            await Task.WhenAll(silos.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Retries what the cluster fails while it notices the dead silo (our contract errors are real failures).</summary>
    private static async Task Retry(Func<Task> call, Action onRetry)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception e) when (e is not AgentsException && DateTime.UtcNow < deadline)
            {
                onRetry();
                await Task.Delay(200);
            }
        }
    }
}
