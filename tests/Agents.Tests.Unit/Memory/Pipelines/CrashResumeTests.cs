using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Stores.Embedded;
using static Agents.Tests.Unit.Memory.Pipelines.EngineHarness;

namespace Agents.Tests.Unit.Memory.Pipelines;

public sealed class CrashResumeTests : IDisposable
{
    private static readonly MemoryScope Ann = MemoryScope.ForUser("ann");
    private readonly string _dir = Directory.CreateTempSubdirectory("agents-pipelines-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Work_enqueued_before_a_crash_is_finished_by_the_next_engine_over_the_same_snapshot()
    {
        var path = Path.Combine(_dir, "memory.snapshot");
        var embedder = new HashingEmbedder();
        AddMemoryResult first, second;

        // Run 1: adds are acknowledged, then the process "crashes": nothing was processed.
        using (var store = new EmbeddedMemoryStore(embeddedOptions: new EmbeddedMemoryStoreOptions { SnapshotPath = path, FlushToDisk = false }))
        await using (var engine = new MemoryEngine(store, embedder, MemoryModels.Offline(), FastOptions()))
        {
            first = await engine.AddAsync(Ann, "I moved to Lisbon for a new design job.", Day1, "Ann");
            second = await engine.AddAsync(Ann, "My design job in Lisbon starts on Monday.", Day1.AddMinutes(5), "Ann");
        }

        // Run 2: a new store reads the journal, a new engine resumes the pending work.
        using (var store = new EmbeddedMemoryStore(embeddedOptions: new EmbeddedMemoryStoreOptions { SnapshotPath = path, FlushToDisk = false }))
        await using (var engine = new MemoryEngine(store, embedder, MemoryModels.Offline(), FastOptions()))
        {
            Assert.Equal(2, await store.CountJobsAsync(Ann, MemoryJobStatus.Pending));
            await engine.StartAsync();
            await engine.WaitForAsync(first.EpisodeId);
            await engine.WaitForAsync(second.EpisodeId);

            Assert.NotNull(await store.GetAsync(first.NoteIds[0]));
            Assert.NotNull((await store.GetAsync(second.NoteIds[0]))!.Embedding);
            Assert.Equal(0, await store.CountJobsAsync(Ann, MemoryJobStatus.Pending));
            Assert.NotEmpty(await ListAsync(store, Ann, MemoryKind.Fact));
        }
    }

    [Fact]
    public async Task A_job_claimed_by_a_worker_that_died_is_run_again_after_its_lease_and_only_once_in_effect()
    {
        using var store = new EmbeddedMemoryStore();
        var embedder = new HashingEmbedder();
        await using var engine = new MemoryEngine(store, embedder, MemoryModels.Offline(), FastOptions());
        var added = await engine.AddAsync(Ann, "I bake sourdough bread every Saturday.", Day1, "Ann");

        // A worker claims the job, writes part of the work, then dies holding a short lease.
        var claimed = Assert.Single(await store.ClaimJobsAsync("dead-worker", 10, TimeSpan.FromMilliseconds(50)));
        Assert.Equal(added.JobId, claimed.Id);
        var payload = IngestJobHandler.ReadPayload(claimed);
        var batch = new IngestBatch(payload.EpisodeId, Ann, payload.ObservedAt,
            payload.Messages.ConvertAll(m => new IngestMessage(m.NoteId, m.Speaker, m.Content)), [], payload.Sources);
        var models = MemoryModels.Offline();
        await new Agents.Memory.Pipelines.Notes.NotePipeline(store, embedder, models.Enricher, models.LinkDecider).ProcessAsync(batch, CancellationToken.None);
        await new Agents.Memory.Pipelines.Facts.FactPipeline(store, embedder, models.FactExtractor, models.FactConsolidator).ProcessAsync(batch, CancellationToken.None);
        var notesBefore = await ListAsync(store, Ann, MemoryKind.Note);
        var factsBefore = await ListAsync(store, Ann, MemoryKind.Fact);
        Assert.Single(notesBefore);
        Assert.NotEmpty(factsBefore);

        await engine.WaitForAsync(added.EpisodeId);

        // The rerun finished the work without duplicating what the dead worker wrote.
        Assert.Equal(notesBefore.Select(n => n.Id), (await ListAsync(store, Ann, MemoryKind.Note)).Select(n => n.Id));
        Assert.Equal(factsBefore.Select(f => f.Content), (await ListAsync(store, Ann, MemoryKind.Fact)).Select(f => f.Content));
        Assert.Equal(MemoryJobStatus.Completed, (await store.GetJobAsync(added.JobId))!.Status);
        Assert.NotEmpty(await ListAsync(store, Ann, MemoryKind.Entity));
    }

    [Fact]
    public async Task A_failure_in_the_graph_stage_reruns_the_graph_but_never_extracts_the_facts_again()
    {
        using var store = new EmbeddedMemoryStore();
        var offline = MemoryModels.Offline();
        var facts = new CountingFactExtractor(offline.FactExtractor);
        var entities = new FailingOnceEntityExtractor(offline.EntityExtractor);
        await using var engine = new MemoryEngine(store, new HashingEmbedder(), offline with { FactExtractor = facts, EntityExtractor = entities }, FastOptions());
        await engine.StartAsync();

        var added = await engine.AddAsync(Ann, "I moved to Lisbon for a new design job.", Day1, "Ann");
        await engine.WaitForAsync(added.EpisodeId);

        Assert.Equal(2, entities.Calls); // failed once, then ran again
        Assert.Equal(1, facts.Calls);    // the facts' mark, written before the graph ran, kept them from a second extraction
        var episode = (await store.GetAsync(added.EpisodeId))!;
        Assert.Equal(IngestJobHandler.Done, episode.Metadata[IngestJobHandler.StateKey]);
        Assert.Equal(["facts", "graph"], episode.Metadata[IngestJobHandler.StagesKey].Split(','));
        Assert.NotEmpty(await ListAsync(store, Ann, MemoryKind.Entity));
        Assert.Equal(MemoryJobStatus.Completed, (await store.GetJobAsync(added.JobId))!.Status);
    }

    private sealed class CountingFactExtractor(Agents.Memory.Pipelines.Facts.IFactExtractor inner) : Agents.Memory.Pipelines.Facts.IFactExtractor
    {
        public int Calls;

        public ValueTask<IReadOnlyList<Agents.Memory.Pipelines.Facts.ExtractedFact>> ExtractAsync(Agents.Memory.Pipelines.Facts.FactExtractionInput input, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return inner.ExtractAsync(input, cancellationToken);
        }
    }

    private sealed class FailingOnceEntityExtractor(Agents.Memory.Pipelines.Graph.IEntityExtractor inner) : Agents.Memory.Pipelines.Graph.IEntityExtractor
    {
        public int Calls;

        public ValueTask<Agents.Memory.Pipelines.Graph.GraphExtraction> ExtractAsync(Agents.Memory.Pipelines.Facts.FactExtractionInput input, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref Calls) == 1 ? throw new TimeoutException("the model timed out") : inner.ExtractAsync(input, cancellationToken);
    }
}
