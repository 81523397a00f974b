using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>The embedded store's journal and snapshot: nothing acknowledged is lost across a restart.</summary>
public sealed class EmbeddedSnapshotTests : IDisposable
{
    private const int Dimension = 16;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "agents-snapshot-" + Guid.NewGuid().ToString("N"));
    private readonly MemoryStoreOptions _options = new() { Dimension = Dimension };
    private readonly MemoryScope _alice = new("t", userId: "alice");

    private string SnapshotPath => Path.Combine(_directory, "memory.json");

    private EmbeddedMemoryStore Open(int compactAfter = 10_000) =>
        new(_options, new EmbeddedMemoryStoreOptions { SnapshotPath = SnapshotPath, FlushToDisk = false, CompactAfterEntries = compactAfter });

    private static float[] Vector(int axis)
    {
        var v = new float[Dimension];
        v[axis] = 1;
        v[(axis + 1) % Dimension] = 0.25f;
        return v;
    }

    private async Task<(MemoryRecord A, MemoryRecord B, MemoryJob Job)> WriteSomethingAsync(EmbeddedMemoryStore store)
    {
        var a = await store.AddAsync(new MemoryRecord
        {
            Id = Guid.NewGuid(), Scope = _alice, Kind = MemoryKind.Fact, Content = "Alice lives in Rome", Embedding = Vector(1),
            Keywords = ["rome"], Tags = ["home"], Metadata = new Dictionary<string, string> { ["k"] = "v" }, Sources = ["D1:1"],
            ObservedAt = new DateTimeOffset(2023, 5, 8, 13, 0, 0, TimeSpan.Zero), ValidAt = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero),
        }, "user", [new MemoryJobRequest("amem.enrich", "{\"id\":1}", "enrich-a")]);
        var b = await store.AddAsync(new MemoryRecord { Id = Guid.NewGuid(), Scope = _alice, Kind = new MemoryKind("insight"), Content = "Rome is in Italy", Embedding = Vector(2) }, "user");
        await store.UpdateAsync(a with { Context = "where Alice lives" }, "a-mem", MemoryEvent.Evolve);
        var edge = new MemoryEdge { Id = Guid.NewGuid(), Scope = _alice, FromId = a.Id, ToId = b.Id, Type = "link" };
        await store.AddEdgesAsync([edge]);
        await store.CloseEdgeAsync(edge.Id, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var job = Assert.Single(await store.ClaimJobsAsync("w", 1, TimeSpan.FromHours(1)));
        var gone = await store.AddAsync(new MemoryRecord { Id = Guid.NewGuid(), Scope = _alice, Kind = MemoryKind.Note, Content = "to delete", Embedding = Vector(3) }, "user");
        await store.DeleteAsync(gone.Id, "user");
        return (a, b, job);
    }

    private async Task AssertSameStateAsync(EmbeddedMemoryStore store, MemoryRecord a, MemoryRecord b, MemoryJob job)
    {
        var readA = await store.GetAsync(a.Id);
        Assert.NotNull(readA);
        Assert.Equal(2, readA.Version);
        Assert.Equal("where Alice lives", readA.Context);
        Assert.Equal(a.Embedding, readA.Embedding);
        Assert.Equal(["rome"], readA.Keywords);
        Assert.Equal("v", readA.Metadata["k"]);
        Assert.Equal(a.ObservedAt, readA.ObservedAt);
        Assert.Equal(a.ValidAt, readA.ValidAt);
        Assert.Equal(new MemoryKind("insight"), (await store.GetAsync(b.Id))!.Kind);
        Assert.Equal([MemoryEvent.Add, MemoryEvent.Evolve], (await store.GetHistoryAsync(a.Id)).Select(h => h.Event));
        var closed = Assert.Single(await store.GetEdgesAsync(new EdgeQuery("t", [a.Id]) { IncludeClosed = true }));
        Assert.False(closed.IsOpen);
        var storedJob = await store.GetJobAsync(job.Id);
        Assert.Equal("w", storedJob!.LeaseOwner);
        Assert.Equal(1, storedJob.Attempts);
        Assert.Equal(new MemoryRowCounts(Records: 2, Embeddings: 2, Edges: 1, History: 5, Jobs: 1), store.CountRows("t"));
        // Indexes are rebuilt too: vector and full-text search find the records.
        Assert.Equal(b.Id, (await store.SearchByVectorAsync(Vector(2), new MemoryFilter(_alice), 1))[0].Record.Id);
        Assert.Equal(a.Id, (await store.SearchByTextAsync("alice", new MemoryFilter(_alice), 1))[0].Record.Id);
    }

    [Fact]
    public async Task A_crash_without_dispose_loses_nothing_acknowledged()
    {
        var crashed = Open();
        var (a, b, job) = await WriteSomethingAsync(crashed);
        Assert.False(File.Exists(SnapshotPath));
        // No Dispose: as if the process died. The journal alone brings the state back.
        using var restarted = Open();
        await AssertSameStateAsync(restarted, a, b, job);
    }

    [Fact]
    public async Task A_clean_shutdown_writes_a_snapshot_that_restores_the_same_state()
    {
        MemoryRecord a, b;
        MemoryJob job;
        using (var store = Open())
            (a, b, job) = await WriteSomethingAsync(store);
        Assert.True(File.Exists(SnapshotPath));
        Assert.Equal(0, new FileInfo(SnapshotPath + ".journal").Length);
        Assert.False(File.Exists(SnapshotPath + ".tmp"));
        using var restarted = Open();
        await AssertSameStateAsync(restarted, a, b, job);
    }

    [Fact]
    public async Task Compaction_during_writes_keeps_everything_and_replaying_twice_is_harmless()
    {
        MemoryRecord a, b;
        MemoryJob job;
        var store = Open(compactAfter: 3);
        (a, b, job) = await WriteSomethingAsync(store);
        Assert.True(File.Exists(SnapshotPath));
        // Simulate a crash between snapshot rename and journal truncation: the journal repeats
        // entries already in the snapshot.
        store.Snapshot();
        var snapshotOnly = Open();
        await AssertSameStateAsync(snapshotOnly, a, b, job);
        await snapshotOnly.AddAsync(new MemoryRecord { Id = Guid.NewGuid(), Scope = _alice, Kind = MemoryKind.Note, Content = "after" }, "user");
        using var restarted = Open();
        Assert.Equal(3, restarted.RecordCount);
    }

    [Fact]
    public async Task A_torn_last_journal_line_is_dropped_and_the_rest_is_kept()
    {
        var store = Open();
        var (a, b, job) = await WriteSomethingAsync(store);
        await File.AppendAllTextAsync(SnapshotPath + ".journal", "[{\"Op\":\"PutRecord\",\"Record\":{\"Id\":");
        using var restarted = Open();
        await AssertSameStateAsync(restarted, a, b, job);
    }

    [Fact]
    public async Task A_snapshot_of_another_dimension_is_refused_clearly()
    {
        using (var store = Open()) await WriteSomethingAsync(store);
        var error = Assert.Throws<InvalidDataException>(() =>
            new EmbeddedMemoryStore(new MemoryStoreOptions { Dimension = 32 }, new EmbeddedMemoryStoreOptions { SnapshotPath = SnapshotPath }));
        Assert.Contains("16-dimensional", error.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
