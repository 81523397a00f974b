using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Stores.Embedded;
using static Agents.Tests.Unit.Memory.Pipelines.EngineHarness;

namespace Agents.Tests.Unit.Memory.Pipelines;

/// <summary>A scope's owner (the memory grain, one job per tick) claims the scope's next job while the one
/// before runs, and hands it back when it stops owning the scope.</summary>
public sealed class MemoryJobProcessorScopeClaimAheadTests : IDisposable
{
    private static readonly MemoryScope Ann = MemoryScope.ForUser("ann");
    private readonly EmbeddedMemoryStore _store = new();
    private readonly HashingEmbedder _embedder = new();

    public void Dispose() => _store.Dispose();

    private MemoryEngine Engine() => new(_store, _embedder, MemoryModels.Offline(), FastOptions());

    private async Task<List<Guid>> AddAsync(MemoryEngine engine, params string[] turns)
    {
        var jobs = new List<Guid>();
        for (var i = 0; i < turns.Length; i++) jobs.Add((await engine.AddAsync(Ann, turns[i], Day1.AddMinutes(i), "Ann")).JobId);
        return jobs;
    }

    // The job once a lease is on it, or as it is after 10 s.
    private async Task<MemoryJob> LeasedAsync(Guid id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var job = (await _store.GetJobAsync(id))!;
            if (job.LeaseOwner is not null || DateTime.UtcNow > deadline) return job;
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Each_tick_leaves_the_next_job_claimed_and_every_job_runs_once_in_order()
    {
        await using var engine = Engine();
        var jobs = await AddAsync(engine, "one", "two", "three");

        var first = await engine.Processor.DrainScopeAsync(Ann, "owner", maxJobs: 1, CancellationToken.None);
        Assert.Equal((1, 2L), (first.Ran, first.Pending));
        // Job two was claimed while job one ran (the claim may still be on its way): it waits for the next
        // tick under this owner's lease.
        var next = await LeasedAsync(jobs[1]);
        Assert.Equal(("owner", MemoryJobStatus.Pending), (next.LeaseOwner, next.Status));
        Assert.Null((await _store.GetJobAsync(jobs[2]))!.LeaseOwner);

        while ((await engine.Processor.DrainScopeAsync(Ann, "owner", maxJobs: 1, CancellationToken.None)).Ran > 0) { }
        foreach (var id in jobs)
        {
            var job = (await _store.GetJobAsync(id))!;
            Assert.Equal((MemoryJobStatus.Completed, 1), (job.Status, job.Attempts));
        }
        var notes = (await ListAsync(_store, Ann, MemoryKind.Note)).OrderBy(static n => n.ObservedAt).ToList();
        Assert.Equal(["one", "two", "three"], notes.Select(static n => n.Content));
        Assert.Equal(0, await _store.CountJobsAsync(Ann, MemoryJobStatus.Pending));
    }

    [Fact]
    public async Task An_owner_that_stops_hands_its_claim_back_for_the_next_owner_at_once()
    {
        await using var engine = Engine();
        var jobs = await AddAsync(engine, "one", "two", "three");
        await engine.Processor.DrainScopeAsync(Ann, "owner", maxJobs: 1, CancellationToken.None);
        Assert.Equal("owner", (await LeasedAsync(jobs[1])).LeaseOwner);

        // Deactivating: job two goes back unstarted, its claim not counted, and not left leased until the lease runs out.
        await engine.Processor.ReleaseScopeClaimAheadAsync(Ann, "owner", CancellationToken.None);
        var released = (await _store.GetJobAsync(jobs[1]))!;
        Assert.Equal((MemoryJobStatus.Pending, null, 0), (released.Status, released.LeaseOwner, released.Attempts));

        // The next owner (another activation) runs it now.
        var taken = await engine.Processor.DrainScopeAsync(Ann, "next-owner", maxJobs: 1, CancellationToken.None);
        Assert.Equal(1, taken.Ran);
        var job = (await _store.GetJobAsync(jobs[1]))!;
        Assert.Equal((MemoryJobStatus.Completed, 1), (job.Status, job.Attempts));
        // Its own claim ahead (job three) is released with the engine.
        await engine.DisposeAsync();
        Assert.Null((await _store.GetJobAsync(jobs[2]))!.LeaseOwner);
    }

    [Fact]
    public async Task A_claim_ahead_that_found_nothing_does_not_hide_a_job_added_after_it()
    {
        await using var engine = Engine();
        await AddAsync(engine, "one", "two");
        Assert.Equal(1, (await engine.Processor.DrainScopeAsync(Ann, "owner", maxJobs: 1, CancellationToken.None)).Ran);
        Assert.Equal(1, (await engine.Processor.DrainScopeAsync(Ann, "owner", maxJobs: 1, CancellationToken.None)).Ran);
        // The claim sent while job two ran found nothing; a turn added since is claimed afresh.
        await engine.AddAsync(Ann, "three", Day1.AddMinutes(5), "Ann");
        Assert.Equal(1, (await engine.Processor.DrainScopeAsync(Ann, "owner", maxJobs: 1, CancellationToken.None)).Ran);
        Assert.Equal(3, (await ListAsync(_store, Ann, MemoryKind.Note)).Count);
    }
}
