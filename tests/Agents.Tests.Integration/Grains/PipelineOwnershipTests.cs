using Agents.Abstractions.Memory;
using Agents.Grains.Memory;
using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Stores;
using Agents.Tests.Integration.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Agents.Tests.Integration.Grains;

/// <summary>Each memory grain runs its own scope's pipeline: in order, in parallel with other scopes,
/// and resumed after a crash. Two silos on PostgreSQL.</summary>
public sealed class PipelineOwnershipTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await AgentsTestCluster.StartAsync(2,
            new Dictionary<string, string?>
            {
                ["Agents:Postgres"] = db.ConnectionString,
                ["Agents:Memory:Pipeline:ResumeReminderPeriod"] = "00:00:02",
                ["Agents:Memory:Pipeline:MaxRecheckDelay"] = "00:00:00.500",
                // The gated enricher holds its slot until opened; other scopes need slots of their own.
                ["Agents:Memory:Pipeline:MaxConcurrentJobs"] = "4",
            },
            services: (_, services) =>
            {
                var offline = MemoryModels.Offline();
                services.AddSingleton(offline with { Enricher = new GatedEnricher(offline.Enricher) });
            });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private IMemoryGrain Memory(ScopeRef scope) => _cluster.Client.GetGrain<IMemoryGrain>(scope.ToGrainKey());

    private static MemoryInput Turn(string text, int minute) => new([new TurnInput("ann", text, $"t{minute}")], T0.AddMinutes(minute));

    [Fact]
    public async Task One_scopes_jobs_run_in_order_while_other_scopes_proceed()
    {
        var gate = Guid.NewGuid().ToString("N");
        var slow = ScopeRef.ForUser($"slow-{gate}");
        var fast = ScopeRef.ForUser($"fast-{gate}");
        var first = $"First slow turn [hold:{gate}]";
        var second = $"Second slow turn {gate}";
        await Memory(slow).AddAsync(Turn(first, 0));
        await Memory(slow).AddAsync(Turn(second, 1));
        await Memory(fast).AddAsync(Turn($"Fast turn one {gate}", 0));
        await Memory(fast).AddAsync(Turn($"Fast turn two {gate}", 1));

        await Memory(fast).WaitForIdleAsync().WaitAsync(Patience);   // not held up by the slow scope
        var held = await Memory(slow).PipelineStatusAsync();
        Assert.Equal((2L, true), (held.Pending, held.Running));
        Assert.DoesNotContain(second, GatedEnricher.Enriched);       // the second waits for the first

        GatedEnricher.Open(gate);
        await Memory(slow).WaitForIdleAsync().WaitAsync(Patience);
        var order = GatedEnricher.Enriched.ToList();
        Assert.True(order.IndexOf(first) < order.IndexOf(second), string.Join(" | ", order));
        Assert.Equal(2, (await Memory(slow).GetAllAsync(10)).Count(h => h.Kind == "note"));
    }

    [Fact]
    public async Task After_a_worker_dies_holding_a_job_the_next_call_resumes_the_pipeline_once_its_lease_runs_out()
    {
        var scope = ScopeRef.ForUser($"orphan-{Guid.NewGuid():N}");
        var services = _cluster.GetSiloServiceProvider();
        var engine = services.GetRequiredService<MemoryEngine>();
        var store = services.GetRequiredService<IMemoryStore>();
        // An add acknowledged by a silo that then died mid-job: its lease still runs for three seconds.
        var added = await engine.AddAsync(scope.ToScope(), "The spare key is under the blue flowerpot.", T0, "ann");
        var dead = await store.ClaimScopeJobAsync(scope.ToScope(), "memory@dead-silo", TimeSpan.FromSeconds(3));
        Assert.Equal(added.JobId, dead.Job!.Id);

        await Memory(scope).WaitForIdleAsync().WaitAsync(Patience);

        Assert.Equal(MemoryJobStatus.Completed, (await store.GetJobAsync(added.JobId))!.Status);
        Assert.Equal(1, (await Memory(scope).PipelineStatusAsync()).Processed);
        Assert.Contains(await Memory(scope).SearchAsync(new MemoryQuery("Where is the spare key?", 3)), h => h.Content.Contains("flowerpot"));
    }

    [Fact]
    public async Task A_scope_whose_owner_went_away_with_work_left_is_resumed_by_its_reminder_without_any_call()
    {
        var gate = Guid.NewGuid().ToString("N");
        var scope = ScopeRef.ForUser($"reminded-{gate}");
        await Memory(scope).AddAsync(Turn($"The boiler service is due in October [hold:{gate}]", 0));
        var left = await Memory(scope).AddAsync(Turn("The plumber's number is on the fridge.", 1));
        var store = _cluster.GetSiloServiceProvider().GetRequiredService<IMemoryStore>();
        await WaitUntil(async () => (await Memory(scope).PipelineStatusAsync()).Running);

        // The owner is deactivated mid-job (as a silo shutting down or a migration would): it finishes the
        // job in hand and leaves the next one queued. Nobody calls the scope again.
        var deactivated = _cluster.DeactivateAsync(Memory(scope));
        GatedEnricher.Open(gate);
        await deactivated;
        Assert.Equal(MemoryJobStatus.Pending, (await store.GetJobAsync(left.JobId))!.Status);

        await WaitUntil(async () => (await store.GetJobAsync(left.JobId))!.Status == MemoryJobStatus.Completed);
        Assert.Equal(2, await store.CountJobsAsync(scope.ToScope(), MemoryJobStatus.Completed));
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold in time.");
            await Task.Delay(100);
        }
    }
}
