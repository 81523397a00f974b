using Agents.Abstractions;
using Agents.Client;
using Agents.Runtime.Membership;
using Agents.Tests.Integration.Infrastructure;
using Agents.TestSilo;

namespace Agents.Tests.Integration.Runtime.Cluster;

/// <summary>Three silos as separate OS processes on loopback, coordinated through PostgreSQL. One is
/// killed with SIGKILL while a client writes to 200 persistent grains: every grain answers again and
/// no acknowledged write is lost.</summary>
public sealed class ProcessFailoverTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Kill_minus_nine_loses_no_acknowledged_write()
    {
        const string cluster = "failover";
        var silos = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => SiloProcess.StartAsync(db.ConnectionString, cluster, $"proc{i}")));
        try
        {
            var table = new PostgresMembershipTable(db.DataSource, cluster);
            await using var client = new ClusterClient(new ClusterClientOptions { ClusterId = cluster, ResponseTimeout = TimeSpan.FromSeconds(10) }, table);
            await client.ConnectAsync();
            var gateway = client.CurrentGateway!.Port;
            // Kill a silo that is not the client's gateway (the gateway case is covered in ClientTests).
            var victim = silos.First(s => s.GatewayPort != gateway);

            var keys = Enumerable.Range(0, 200).Select(i => $"ledger-{i}").ToArray();
            var acknowledged = keys.ToDictionary(k => k, _ => new List<int>());
            var onVictim = 0;
            foreach (var key in keys)
                if (await client.Get<ILedgerGrain>(key).WhereAsync() == victim.Name) onVictim++;
            Assert.True(onVictim > 0, "no grain was placed on the victim");

            var failures = 0;
            for (var round = 0; round < 5; round++)
            {
                if (round == 2) victim.KillHard();
                await Task.WhenAll(keys.Select(async key =>
                {
                    var deadline = DateTime.UtcNow.AddSeconds(45);
                    while (true)
                    {
                        try
                        {
                            await client.Get<ILedgerGrain>(key).AppendAsync(round);
                            lock (acknowledged) acknowledged[key].Add(round);
                            return;
                        }
                        catch (Exception exception) when (exception is SiloUnavailableException or RequestTimeoutException && DateTime.UtcNow < deadline)
                        {
                            Interlocked.Increment(ref failures);
                            await Task.Delay(200);
                        }
                    }
                }));
            }

            foreach (var key in keys)
            {
                var entries = await client.Get<ILedgerGrain>(key).EntriesAsync();
                Assert.All(acknowledged[key], sequence => Assert.Contains(sequence, entries));
                Assert.NotEqual(victim.Name, await client.Get<ILedgerGrain>(key).WhereAsync());
            }
        }
        finally
        {
            await Task.WhenAll(silos.Select(s => s.DisposeAsync().AsTask()));
        }
    }
}
