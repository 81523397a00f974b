using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Memory.Stores.Postgres.ScopeCache;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>
/// The PostgreSQL store's copies of held scopes: reads answered in process equal SQL's answers, and a
/// copy never serves a read that misses a write committed before it, whoever wrote (this store,
/// another store on the same database standing for another silo, a bulk add, an erasure).
/// </summary>
public sealed class PostgresScopeCacheTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private const int Dimension = 16;
    private readonly string _tenant = "t" + Guid.NewGuid().ToString("N")[..12];
    private readonly MemoryStoreOptions _options = new() { Dimension = Dimension };

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private PostgresMemoryStore NewStore(ScopeCacheOptions? cache = null) =>
        new(db.DataSource, _options, new PostgresMemoryStoreOptions { ScopeCache = cache ?? new ScopeCacheOptions() });

    /// <summary>A store without scope copies on the same database: SQL's answers to compare with, or another silo.</summary>
    private PostgresMemoryStore UncachedStore() => NewStore(new ScopeCacheOptions { Enabled = false });

    private MemoryScope Scope(string run, string? user = null) => new(_tenant, userId: user, runId: run);

    private static readonly string[] Words = ["dog", "cat", "garden", "piano", "lake", "hiking", "painting", "guitar", "camping", "adopted", "sunset", "library"];

    private static MemoryRecord Record(Random random, MemoryScope scope, DateTimeOffset observed)
    {
        var kind = random.Next(3) switch { 0 => MemoryKind.Note, 1 => MemoryKind.Fact, _ => MemoryKind.Entity };
        var words = Enumerable.Range(0, 3 + random.Next(6)).Select(_ => Words[random.Next(Words.Length)]).ToList();
        var embedding = Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        return new MemoryRecord
        {
            Id = Guid.NewGuid(), Scope = scope, Kind = kind, Content = string.Join(' ', words),
            Context = random.Next(2) == 0 ? null : $"talking about {Words[random.Next(Words.Length)]}",
            Tags = random.Next(3) == 0 ? ["pets"] : [],
            Metadata = new Dictionary<string, string> { ["speaker"] = random.Next(2) == 0 ? "Ann" : "Bob" },
            Embedding = random.Next(8) == 0 ? null : embedding,
            ObservedAt = observed, ValidAt = observed,
            InvalidAt = random.Next(6) == 0 ? observed.AddDays(3) : null,
        };
    }

    private static IEnumerable<MemoryFilter> Filters(MemoryScope scope, DateTimeOffset Start) =>
    [
        new(scope),
        new(scope) { Kinds = [MemoryKind.Note] },
        new(scope) { Kinds = [MemoryKind.Note, MemoryKind.Fact] },
        new(scope) { Tags = ["pets"] },
        new(scope) { AsOf = Start.AddDays(5) },
        new(scope) { IncludeExpired = true },
        new(scope) { Metadata = new MetadataMatch("speaker", ["Ann"]) },
        new(scope) { ObservedFrom = Start.AddDays(2), ObservedBefore = Start.AddDays(6) },
    ];

    /// <summary>Every read the copy answers, against the same read through a store that holds nothing.</summary>
    private static async Task AssertSameAsSqlAsync(PostgresMemoryStore held, PostgresMemoryStore plain, MemoryScope scope, DateTimeOffset Start, Random random)
    {
        foreach (var filter in Filters(scope, Start))
        {
            // Every field of every record as SQL reads it.
            Assert.Equal((await plain.ListAsync(filter, 1000)).Select(Json), (await held.ListAsync(filter, 1000)).Select(Json));
            Assert.Equal((await plain.ListAsync(filter, 3, 2)).Select(r => r.Id), (await held.ListAsync(filter, 3, 2)).Select(r => r.Id));
            Assert.Equal(await plain.CountAsync(filter), await held.CountAsync(filter));
            var query = Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            AssertHits(await plain.SearchByVectorAsync(query, filter, 5), await held.SearchByVectorAsync(query, filter, 5), 1e-5);
            AssertHits(await plain.SearchByVectorAsync(query, filter, 5, minScore: 0.1), await held.SearchByVectorAsync(query, filter, 5, minScore: 0.1), 1e-5);
            var text = $"{Words[random.Next(Words.Length)]} and the {Words[random.Next(Words.Length)]}s";
            foreach (var field in new[] { TextField.All, TextField.Content })
                AssertHits(await plain.SearchByTextAsync(text, filter, 6, field), await held.SearchByTextAsync(text, filter, 6, field), 1e-9);
            var signals = new SignalSearch(filter, 6) { Text = text, ContentText = text, Vector = query };
            var (a, b) = (await plain.SearchSignalsAsync(signals), await held.SearchSignalsAsync(signals));
            AssertHits(a.Vector, b.Vector, 1e-5);
            AssertHits(a.Text, b.Text, 1e-9);
            AssertHits(a.ContentText, b.ContentText, 1e-9);
        }
    }

    private static string Json(MemoryRecord record) => System.Text.Json.JsonSerializer.Serialize(record with
    {
        Metadata = new SortedDictionary<string, string>(record.Metadata.ToDictionary(), StringComparer.Ordinal),
    });

    private static void AssertHits(IReadOnlyList<ScoredMemory> expected, IReadOnlyList<ScoredMemory> actual, double tolerance)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Score, actual[i].Score, tolerance);
            // Equal scores may come in either order; otherwise the same record at the same rank.
            if (Math.Abs(expected[i].Score - actual[i].Score) <= tolerance && !expected.Any(e => e.Record.Id != expected[i].Record.Id && Math.Abs(e.Score - expected[i].Score) <= 10 * tolerance))
                Assert.Equal(expected[i].Record.Id, actual[i].Record.Id);
        }
    }

    [Fact]
    public async Task Reads_of_a_held_scope_are_answered_in_process_and_equal_sql()
    {
        var random = new Random(7);
        var scope = Scope("r1", "ann");
        var plain = UncachedStore();
        for (var i = 0; i < 60; i++) await plain.AddAsync(Record(random, scope, Start.AddDays(i % 9)), "test");
        await plain.AddAsync(Record(random, Scope("r1", "bob"), Start), "test"); // same run, another user: not in the scope
        var held = NewStore();
        using var hold = held.HoldScope(scope);

        await AssertSameAsSqlAsync(held, plain, scope, Start, random);

        var counters = held.ScopeCacheCounters;
        Assert.Equal(1, counters.Loads);
        Assert.True(counters.Served > 50, $"served {counters.Served}");
        Assert.Equal(0, counters.ReadInSql);
    }

    [Fact]
    public async Task Writes_of_the_holding_store_keep_its_copy_current_without_reloading()
    {
        var random = new Random(11);
        var scope = Scope("r2");
        var plain = UncachedStore();
        var held = NewStore();
        using var hold = held.HoldScope(scope);
        Assert.Equal(0, await held.CountAsync(new MemoryFilter(scope))); // loads the (empty) copy

        var records = new List<MemoryRecord>();
        for (var i = 0; i < 20; i++) records.Add(await held.AddAsync(Record(random, scope, Start.AddDays(i % 9)), "test"));
        var batch = new MemoryWriteBatch();
        for (var i = 0; i < 5; i++) batch.Add(Record(random, scope, Start.AddDays(i)), "test");
        batch.Update(records[0] with { Content = "piano lessons by the lake", Tags = ["pets"] }, "test", MemoryEvent.Update);
        batch.Update(records[1] with { ExpiredAt = Start.AddDays(4), InvalidAt = Start.AddDays(4) }, "test", MemoryEvent.Invalidate);
        await held.WriteAsync(batch);
        await held.UpdateAsync(records[2] with { Content = "camping camping camping", Embedding = null }, "test");
        Assert.True(await held.DeleteAsync(records[3].Id, "test"));

        await AssertSameAsSqlAsync(held, plain, scope, Start, random);
        Assert.Equal(1, held.ScopeCacheCounters.Loads);
        Assert.Equal(0, held.ScopeCacheCounters.ReadInSql);
    }

    [Fact]
    public async Task A_write_through_another_store_is_seen_by_the_next_read_of_the_copy()
    {
        var random = new Random(13);
        var scope = Scope("r3", "ann");
        var held = NewStore();
        var other = UncachedStore(); // another silo on the same database
        using var hold = held.HoldScope(scope);
        var first = await other.AddAsync(Record(random, scope, Start) with { Content = "the old piano", Kind = MemoryKind.Note }, "test");
        Assert.Single(await held.ListAsync(new MemoryFilter(scope)));

        // An add elsewhere, then an update, a delete, a bulk add, all seen by the very next read.
        var added = await other.AddAsync(Record(random, scope, Start) with { Content = "a new guitar", Kind = MemoryKind.Note }, "test");
        Assert.Equal(added.Id, Assert.Single(await held.SearchByTextAsync("guitar", new MemoryFilter(scope), 5)).Record.Id);
        await other.UpdateAsync(first with { Content = "the old harp" }, "test");
        Assert.Empty(await held.SearchByTextAsync("piano", new MemoryFilter(scope), 5));
        Assert.True(await other.DeleteAsync(added.Id, "test"));
        Assert.Empty(await held.SearchByTextAsync("guitar", new MemoryFilter(scope), 5));
        await other.AddBatchAsync([Record(random, scope, Start), Record(random, scope, Start)], "test");
        Assert.Equal(3, await held.CountAsync(new MemoryFilter(scope) { IncludeExpired = true }));

        // A record of a scope inside the held one (more ids) written elsewhere is in the held scope too.
        await other.AddAsync(Record(random, new MemoryScope(_tenant, userId: "ann", runId: "r3", agentId: "helper"), Start), "test");
        Assert.Equal(4, await held.CountAsync(new MemoryFilter(scope) { IncludeExpired = true }));

        // Erasing a scope that contains the held one.
        await other.DeleteScopeAsync(new MemoryScope(_tenant, userId: "ann"));
        Assert.Equal(0, await held.CountAsync(new MemoryFilter(scope) { IncludeExpired = true }));

        Assert.Equal(0, held.ScopeCacheCounters.ReadInSql);
        Assert.True(held.ScopeCacheCounters.Loads >= 6, $"loads {held.ScopeCacheCounters.Loads}"); // each foreign write reloads it
    }

    [Fact]
    public async Task Reads_that_share_checks_see_the_scope_as_at_the_first_check_until_a_conflict()
    {
        var random = new Random(31);
        var scope = Scope("r9", "ann");
        var held = NewStore();
        var other = UncachedStore(); // another silo on the same database
        using var hold = held.HoldScope(scope);
        var first = await other.AddAsync(Record(random, scope, Start) with { Content = "the old piano", Kind = MemoryKind.Note }, "test");
        var filter = new MemoryFilter(scope) { IncludeExpired = true };

        using (held.ShareChecks())
        {
            Assert.Equal(1, await held.CountAsync(filter));
            // Written elsewhere after the stretch's check: its reads go on seeing the scope as at that check...
            var elsewhere = await other.AddAsync(Record(random, scope, Start), "test");
            Assert.Equal(1, await held.CountAsync(filter));
            Assert.Equal(1, await Task.Run(() => held.CountAsync(filter))); // and in the tasks it starts
            // Its own writes are seen by the reads after them (here the copy reloads: the write elsewhere came first).
            var mine = await held.AddAsync(Record(random, scope, Start), "test");
            Assert.Equal(new HashSet<Guid> { first.Id, elsewhere.Id, mine.Id }, (await held.ListAsync(filter)).Select(static r => r.Id).ToHashSet());
            // A write that conflicts with what was read ends the sharing: the next read is fresh.
            await other.UpdateAsync(first with { Content = "the old harp" }, "test");
            await Assert.ThrowsAsync<MemoryConflictException>(() => held.UpdateAsync(first with { Content = "a piano" }, "test"));
            Assert.Equal(3, await held.CountAsync(filter));
            Assert.Equal("the old harp", (await held.GetAsync(first.Id))!.Content);
        }
        // Outside a stretch every read checks.
        await other.AddAsync(Record(random, scope, Start), "test");
        Assert.Equal(4, await held.CountAsync(filter));
        Assert.Equal(0, held.ScopeCacheCounters.ReadInSql);
    }

    [Fact]
    public async Task A_scope_job_claim_checks_the_held_scope_for_the_job_it_hands_out()
    {
        // The memory grain claims a job of its scope, then runs it: the claim's round trip carries the scope's
        // check, and the job's reads start from it rather than sending their own.
        var random = new Random(41);
        var scope = Scope("r11", "ann");
        var held = NewStore();
        var other = UncachedStore(); // another silo on the same database
        using var hold = held.HoldScope(scope);
        await held.AddAsync(Record(random, scope, Start), "test", [new MemoryJobRequest("test.claim", "{}", "claim-r11", scope)]);
        var filter = new MemoryFilter(scope) { IncludeExpired = true };
        Assert.Equal(1, await held.CountAsync(filter));
        await other.AddAsync(Record(random, scope, Start), "test");
        Assert.Equal(2, await held.CountAsync(filter)); // the copy catches up

        using (Agents.Memory.Engine.MemoryEngine.ShareChecks(held)) // as the processor claims
        {
            var claim = await held.ClaimScopeJobAsync(scope, "worker-a", TimeSpan.FromSeconds(30));
            Assert.NotNull(claim.Job);
            held.AdoptCheck(claim.Job); // the claimer's stretch takes the check the claim made
            using (Agents.Memory.Engine.MemoryEngine.ShareChecks(held)) // the job's stretch takes the claim's check over
            {
                await other.AddAsync(Record(random, scope, Start), "test"); // after the claim: the job reads as at it
                Assert.Equal(2, await held.CountAsync(filter));
            }
            Assert.Equal(2, await held.CountAsync(filter)); // the claimer's stretch goes on from where the job left the scope
        }
        Assert.Equal(3, await held.CountAsync(filter)); // outside any stretch: a read checks
        Assert.Equal(0, held.ScopeCacheCounters.ReadInSql);
    }

    // A conversation for the tests that run the pipelines over a held scope.
    private static readonly string[] Turns = ["I adopted a dog named Rex last spring", "Rex loves hiking by the lake", "We went camping at the lake in June",
                                              "My sister plays the piano in a band", "The band plays at the library on Fridays"];

    private static Agents.Memory.Engine.MemoryEngine Engine(IMemoryStore store, int claimBatchSize = 4) =>
        new(store, new Agents.Inference.Offline.HashingEmbedder(new Agents.Inference.Offline.HashingEmbedderOptions { Dimensions = Dimension }),
            Agents.Memory.Pipelines.MemoryModels.Offline(), new Agents.Memory.Engine.MemoryEngineOptions { ClaimBatchSize = claimBatchSize });

    /// <summary>What the pipelines derived in <paramref name="scope"/> (notes, facts, entities), as SQL reads it, in a fixed order.</summary>
    private async Task<List<string>> DerivedAsync(MemoryScope scope) =>
        (await UncachedStore().ListAsync(new MemoryFilter(scope) { Kinds = [MemoryKind.Note, MemoryKind.Fact, MemoryKind.Entity] }, 1000))
        .Select(m => $"{m.Kind.Value}|{m.Content}|{m.Context}|{string.Join(',', m.Tags)}|{string.Join(',', m.Keywords)}").Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task The_jobs_of_a_claim_start_from_its_check_of_their_held_scope_and_derive_what_jobs_claimed_one_by_one_do()
    {
        // The engine's processor claims several jobs and runs them one after another: each starts from the scope
        // as the job before left it (that job's check, advanced by its writes). The claim's round trip reads the
        // epoch of each job's scope as of its snapshot, which holds the job's input: no job sends a check.
        async Task<(long Checks, List<string> Notes)> IngestAsync(string run, int claimBatchSize)
        {
            var scope = Scope(run, "ann");
            var held = NewStore();
            await using var engine = Engine(held, claimBatchSize);
            using var hold = engine.HoldScope(scope);
            for (var i = 0; i < Turns.Length; i++) await engine.AddAsync(scope, Turns[i], Start.AddMinutes(i), "ann");
            var before = held.ScopeCacheCounters.Checks;
            Assert.Equal(Turns.Length, await engine.Processor.RunPendingAsync(CancellationToken.None));
            return (held.ScopeCacheCounters.Checks - before, await DerivedAsync(scope));
        }

        var together = await IngestAsync("r12", claimBatchSize: Turns.Length);
        var apart = await IngestAsync("r13", claimBatchSize: 1);
        Assert.Equal(0, together.Checks);
        Assert.Equal(0, apart.Checks);
        Assert.Equal(apart.Notes, together.Notes);
        Assert.Equal(Turns.Length, together.Notes.Count(n => n.StartsWith($"{MemoryKind.Note.Value}|", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_job_its_scopes_owner_claimed_ahead_starts_from_that_claims_check_and_misses_no_turn_added_elsewhere()
    {
        // The memory grain runs one job per tick and sends the scope's next claim while a job runs. That claim's
        // check, in its round trip, is where the next job's reads start: they send no check of their own. A
        // claim's check is as new as the claim, so turns another silo added before it are seen.
        async Task<(long Checks, List<string> Memories)> IngestAsync(string run, bool asOwner)
        {
            var scope = Scope(run, "ann");
            var held = NewStore();
            await using var engine = Engine(held, claimBatchSize: 1);
            await using var elsewhere = Engine(UncachedStore());
            using var hold = engine.HoldScope(scope);
            for (var i = 0; i < 3; i++) await engine.AddAsync(scope, Turns[i], Start.AddMinutes(i), "ann");
            await elsewhere.AddAsync(scope, Turns[3], Start.AddMinutes(3), "ann");
            var before = held.ScopeCacheCounters.Checks;
            if (asOwner)
            {
                // The last turn comes through the other silo between ticks, after job three was claimed ahead.
                for (var tick = 0; tick < 2; tick++) Assert.Equal(1, (await engine.Processor.DrainScopeAsync(scope, "owner", 1, CancellationToken.None)).Ran);
                await elsewhere.AddAsync(scope, Turns[4], Start.AddMinutes(4), "ann");
                while ((await engine.Processor.DrainScopeAsync(scope, "owner", 1, CancellationToken.None)).Ran > 0) { }
            }
            else
            {
                await elsewhere.AddAsync(scope, Turns[4], Start.AddMinutes(4), "ann");
                Assert.Equal(Turns.Length, await engine.Processor.RunPendingAsync(CancellationToken.None));
            }
            var checks = held.ScopeCacheCounters.Checks - before;
            Assert.Equal(0, await held.CountJobsAsync(scope, MemoryJobStatus.Pending));
            return (checks, await DerivedAsync(scope));
        }

        var owner = await IngestAsync("r16", asOwner: true);
        var apart = await IngestAsync("r17", asOwner: false);
        Assert.Equal(0, owner.Checks);
        Assert.Equal(0, apart.Checks); // the queue's claims check their jobs' scopes too
        Assert.Equal(apart.Memories, owner.Memories);
        Assert.Equal(Turns.Length, owner.Memories.Count(n => n.StartsWith($"{MemoryKind.Note.Value}|", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_silo_wrapper_passes_holds_and_shared_checks_to_the_store()
    {
        // The silo's store is the PostgreSQL store inside InstrumentedMemoryStore (metrics): a hold through it
        // must reach the store, or the memory grain's scope would never be copied.
        var random = new Random(37);
        var scope = Scope("r10", "ann");
        var held = NewStore();
        IMemoryStore wrapped = new InstrumentedMemoryStore(held, "postgres");
        await held.AddAsync(Record(random, scope, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)), "test");
        using var hold = Agents.Memory.Engine.MemoryEngine.Hold(wrapped, scope);
        using var shared = Agents.Memory.Engine.MemoryEngine.ShareChecks(wrapped);
        Assert.Equal(1, await wrapped.CountAsync(new MemoryFilter(scope) { IncludeExpired = true }));
        Assert.Equal(1, held.ScopeCacheCounters.Served);
    }

    [Fact]
    public async Task Writes_to_other_scopes_leave_the_copy_current()
    {
        var random = new Random(17);
        var scope = Scope("r4", "ann");
        var held = NewStore();
        var other = UncachedStore();
        using var hold = held.HoldScope(scope);
        await held.AddAsync(Record(random, scope, Start), "test");
        Assert.Equal(1, await held.CountAsync(new MemoryFilter(scope) { IncludeExpired = true }));
        // Another user's run and another run of the same user move other keys than the copy's (run:r4).
        await other.AddAsync(Record(random, Scope("r5", "ann"), Start), "test");
        await other.AddAsync(Record(random, Scope("r6", "bob"), Start), "test");
        Assert.Equal(1, await held.CountAsync(new MemoryFilter(scope) { IncludeExpired = true }));
        Assert.Equal(1, held.ScopeCacheCounters.Loads);
    }

    [Fact]
    public async Task Concurrent_writes_and_reads_of_one_process_leave_the_copy_equal_to_the_database()
    {
        var scope = Scope("r7");
        var held = NewStore();
        var plain = UncachedStore();
        using var hold = held.HoldScope(scope);
        var writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            var random = new Random(100 + w);
            for (var i = 0; i < 15; i++)
            {
                var record = await held.AddAsync(Record(random, scope, Start.AddDays(i % 9)), "test");
                if (i % 3 == 0) await held.UpdateAsync(record with { Content = record.Content + " lake" }, "test");
                if (i % 5 == 0) await held.DeleteAsync(record.Id, "test");
                await held.SearchByTextAsync("lake", new MemoryFilter(scope), 5);
            }
        })).ToList();
        await Task.WhenAll(writers);

        await AssertSameAsSqlAsync(held, plain, scope, Start, new Random(3));
        var all = new MemoryFilter(scope) { IncludeExpired = true };
        Assert.Equal(await plain.CountAsync(all), await held.CountAsync(all));
    }

    [Fact]
    public async Task A_scope_larger_than_a_copy_may_be_is_read_in_sql()
    {
        var random = new Random(19);
        var scope = Scope("r8");
        var held = NewStore(new ScopeCacheOptions { MaxRecordsPerScope = 4, MaxRecords = 4 });
        var plain = UncachedStore();
        using var hold = held.HoldScope(scope);
        for (var i = 0; i < 6; i++) await held.AddAsync(Record(random, scope, Start.AddDays(i)), "test");

        Assert.Equal((await plain.ListAsync(new MemoryFilter(scope))).Select(r => r.Id), (await held.ListAsync(new MemoryFilter(scope))).Select(r => r.Id));
        Assert.Equal(0, held.ScopeCacheCounters.Served);
        Assert.True(held.ScopeCacheCounters.ReadInSql > 0);
    }

    [Fact]
    public async Task Copies_past_the_budget_are_dropped_and_loaded_again_when_read()
    {
        var random = new Random(23);
        var held = NewStore(new ScopeCacheOptions { MaxRecordsPerScope = 5, MaxRecords = 6 });
        var plain = UncachedStore();
        var (a, b) = (Scope("r9"), Scope("r10"));
        using var holdA = held.HoldScope(a);
        using var holdB = held.HoldScope(b);
        for (var i = 0; i < 4; i++)
        {
            await held.AddAsync(Record(random, a, Start), "test");
            await held.AddAsync(Record(random, b, Start), "test");
        }
        for (var round = 0; round < 3; round++)
        {
            foreach (var scope in new[] { a, b })
                Assert.Equal(await plain.CountAsync(new MemoryFilter(scope)), await held.CountAsync(new MemoryFilter(scope)));
        }
        // Two copies of four do not fit six: each read of the other scope reloads it.
        Assert.True(held.ScopeCacheCounters.Loads >= 6, $"loads {held.ScopeCacheCounters.Loads}");
    }

    [Fact]
    public async Task Without_a_hold_reads_go_to_sql()
    {
        var random = new Random(29);
        var scope = Scope("r11");
        var store = NewStore();
        await store.AddAsync(Record(random, scope, DateTimeOffset.UnixEpoch), "test");
        using (store.HoldScope(scope)) Assert.Equal(1, await store.CountAsync(new MemoryFilter(scope) { IncludeExpired = true }));
        Assert.Equal(1, await store.CountAsync(new MemoryFilter(scope) { IncludeExpired = true }));
        Assert.Equal(1, store.ScopeCacheCounters.Served);
    }
}
