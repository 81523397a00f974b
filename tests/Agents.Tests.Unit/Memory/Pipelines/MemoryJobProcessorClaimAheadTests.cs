using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Pipelines.Notes;
using Agents.Memory.Stores.Embedded;
using static Agents.Tests.Unit.Memory.Pipelines.EngineHarness;

namespace Agents.Tests.Unit.Memory.Pipelines;

/// <summary>The processor claims its next jobs while the last job of a full claim runs, and a job that
/// waited in its claim starts with its lease renewed.</summary>
public sealed class MemoryJobProcessorClaimAheadTests : IDisposable
{
    private static readonly MemoryScope Ann = MemoryScope.ForUser("ann");
    private readonly ManualClock _clock = new(Day1);
    private readonly EmbeddedMemoryStore _store;
    private readonly HashingEmbedder _embedder = new();
    private HeldEnricher _enricher = new("two");
    private readonly MemoryEngineOptions _options = FastOptions();

    public MemoryJobProcessorClaimAheadTests() => _store = new EmbeddedMemoryStore(timeProvider: _clock);

    public void Dispose() => _store.Dispose();

    private MemoryEngine Engine()
    {
        _options.ClaimBatchSize = 2;
        return new MemoryEngine(_store, _embedder, MemoryModels.Offline() with { Enricher = _enricher }, _options, time: _clock);
    }

    private async Task<List<Guid>> AddFiveAsync(MemoryEngine engine)
    {
        var jobs = new List<Guid>();
        foreach (var (text, i) in new[] { "one", "two", "three", "four", "five" }.Select((t, i) => (t, i)))
            jobs.Add((await engine.AddAsync(Ann, text, Day1.AddMinutes(i), "Ann")).JobId);
        return jobs;
    }

    [Fact]
    public async Task The_next_claim_is_made_while_the_last_job_of_a_full_claim_runs_and_every_job_runs_once_in_order()
    {
        await using var engine = Engine();
        var jobs = await AddFiveAsync(engine);
        await engine.StartAsync();
        await _enricher.Reached.WaitAsync(TimeSpan.FromSeconds(10));

        // Job two (the last of the first claim) is running: three and four are claimed already, five is not.
        Assert.Equal(_options.WorkerId, (await _store.GetJobAsync(jobs[2]))!.LeaseOwner);
        Assert.Equal(_options.WorkerId, (await _store.GetJobAsync(jobs[3]))!.LeaseOwner);
        Assert.Null((await _store.GetJobAsync(jobs[4]))!.LeaseOwner);

        _enricher.Release();
        await engine.WaitForIdleAsync(Ann).WaitAsync(TimeSpan.FromSeconds(10));
        await engine.StopAsync();
        foreach (var id in jobs)
        {
            var job = (await _store.GetJobAsync(id))!;
            Assert.Equal(MemoryJobStatus.Completed, job.Status);
            Assert.Equal(1, job.Attempts);
        }
        // In order: each note's context names the turn before it, which was a note already.
        var notes = (await ListAsync(_store, Ann, MemoryKind.Note)).OrderBy(static n => n.ObservedAt).ToList();
        Assert.Equal(["one", "two", "three", "four", "five"], notes.Select(static n => n.Content));
        Assert.Equal(["one", "two", "three", "four", "five"], _enricher.Seen);
    }

    [Fact]
    public async Task Stopping_hands_the_jobs_claimed_ahead_back_at_once()
    {
        await using (var engine = Engine())
        {
            var jobs = await AddFiveAsync(engine);
            await engine.StartAsync();
            await _enricher.Reached.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull((await _store.GetJobAsync(jobs[3]))!.LeaseOwner);

            await engine.StopAsync();
            // Not left leased until the lease runs out: pending, without an owner, claimable now.
            foreach (var id in jobs.Skip(1))
            {
                var job = (await _store.GetJobAsync(id))!;
                Assert.Equal(MemoryJobStatus.Pending, job.Status);
                Assert.Null(job.LeaseOwner);
            }
            // Those claimed ahead never started: their claim is not counted as an attempt.
            Assert.Equal([0, 0], (await Task.WhenAll(jobs.Skip(2).Take(2).Select(id => _store.GetJobAsync(id)))).Select(static j => j!.Attempts));
        }

        // The next processor finishes them.
        _enricher.Release();
        await using var next = Engine();
        await next.WaitForIdleAsync(Ann).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5, (await ListAsync(_store, Ann, MemoryKind.Note)).Count);
        Assert.Equal(0, await _store.CountJobsAsync(Ann, MemoryJobStatus.Pending));
    }

    [Theory]
    [InlineData(15, 1)] // half its lease left: renewed, it runs through its own 20 s and completes on its first claim
    [InlineData(31, 2)] // run out: left to the queue, it runs on its next claim
    public async Task A_job_that_waited_in_its_claim_starts_with_its_lease_renewed_or_not_at_all(int waitedSeconds, int attempts)
    {
        _enricher = new HeldEnricher("one", during: content => { if (content == "two") _clock.Advance(TimeSpan.FromSeconds(20)); });
        await using var engine = Engine();
        var jobs = await AddFiveAsync(engine);
        await engine.StartAsync();
        await _enricher.Reached.WaitAsync(TimeSpan.FromSeconds(10));
        // Job one (first of the claim) is slow; job two waits behind it.
        _clock.Advance(TimeSpan.FromSeconds(waitedSeconds));
        _enricher.Release();
        await engine.WaitForIdleAsync(Ann).WaitAsync(TimeSpan.FromSeconds(10));
        await engine.StopAsync();

        var second = (await _store.GetJobAsync(jobs[1]))!;
        Assert.Equal(MemoryJobStatus.Completed, second.Status);
        Assert.Equal(attempts, second.Attempts);
        Assert.Equal(["one", "two", "three", "four", "five"], (await ListAsync(_store, Ann, MemoryKind.Note)).OrderBy(static n => n.ObservedAt).Select(static n => n.Content));
    }

    [Fact]
    public async Task A_running_job_has_its_lease_renewed_and_completes_on_its_first_claim()
    {
        _options.Lease = TimeSpan.FromMilliseconds(600); // renewed every 200 ms of real time
        _enricher = new HeldEnricher("one");
        await using var engine = Engine();
        var jobs = await AddFiveAsync(engine);
        await engine.StartAsync();
        await _enricher.Reached.WaitAsync(TimeSpan.FromSeconds(10));
        var claimed = (await _store.GetJobAsync(jobs[0]))!.LeaseExpiresAt!.Value;

        // The store's clock moves on; the next renewal extends the lease from there.
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await _store.GetJobAsync(jobs[0]))!.LeaseExpiresAt <= claimed && DateTime.UtcNow < deadline) await Task.Delay(20);
        var running = (await _store.GetJobAsync(jobs[0]))!;
        Assert.True(running.LeaseExpiresAt >= claimed.AddMilliseconds(100), $"lease {running.LeaseExpiresAt:O} not renewed past {claimed:O}");
        Assert.Equal(_options.WorkerId, running.LeaseOwner);

        _enricher.Release();
        await engine.WaitForIdleAsync(Ann).WaitAsync(TimeSpan.FromSeconds(10));
        await engine.StopAsync();
        var done = (await _store.GetJobAsync(jobs[0]))!;
        Assert.Equal(MemoryJobStatus.Completed, done.Status);
        Assert.Equal(1, done.Attempts);
    }

    /// <summary>The offline enricher, held at the turn <paramref name="holdAt"/> until released.</summary>
    private sealed class HeldEnricher(string holdAt, Action<string>? during = null) : INoteEnricher
    {
        private readonly OfflineNoteEnricher _inner = new();
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;
        public List<string> Seen { get; } = [];

        public void Release() => _released.TrySetResult();

        public async ValueTask<NoteEnrichment> EnrichAsync(NoteDraft draft, CancellationToken cancellationToken)
        {
            if (draft.Content == holdAt)
            {
                _reached.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }
            during?.Invoke(draft.Content);
            lock (Seen) Seen.Add(draft.Content);
            return await _inner.EnrichAsync(draft, cancellationToken);
        }
    }
}
