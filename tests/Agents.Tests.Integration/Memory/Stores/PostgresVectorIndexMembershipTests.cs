using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>
/// Only the records of scopes above the index's minimum are in the HNSW index (migration 0094), and a
/// search that takes the index finds every record its filter matches: a scope that grows past the
/// minimum brings all its records in, a record joins at once when any of its keys is large, concurrent
/// writers crossing the minimum leave nothing out, and lowering the minimum indexes the keys above it.
/// </summary>
public sealed class PostgresVectorIndexMembershipTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private const int Minimum = 40;

    public async Task InitializeAsync()
    {
        await using var set = db.DataSource.CreateCommand($"SELECT memory_vector_index_set_min_records({Minimum})");
        await set.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static float[] RandomVector(Random random) => Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

    private static MemoryRecord Record(MemoryScope scope, Random random) => new()
    {
        Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note, Content = "note " + random.Next(), Embedding = RandomVector(random),
    };

    /// <summary>(indexed, not indexed) records of <paramref name="tenant"/> matching <paramref name="where"/>.</summary>
    private async Task<(long In, long Out)> MembershipAsync(string tenant, string where = "true")
    {
        await using var command = db.DataSource.CreateCommand(
            $"SELECT count(*) FILTER (WHERE vector_indexed), count(*) FILTER (WHERE NOT vector_indexed) FROM memory_records WHERE tenant = @t AND {where}");
        command.Parameters.AddWithValue("t", tenant);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    [Fact]
    public async Task A_scope_joins_the_index_when_it_passes_the_minimum_and_a_record_of_a_large_key_joins_at_once()
    {
        var tenant = "m" + Guid.NewGuid().ToString("N")[..12];
        var random = new Random(3);
        var store = new PostgresMemoryStore(db.DataSource);
        var ann = new MemoryScope(tenant, userId: "ann");

        await store.AddBatchAsync(Enumerable.Range(0, Minimum).Select(_ => Record(ann, random)).ToList(), "test");
        Assert.Equal((0, Minimum), await MembershipAsync(tenant));
        // Records without an embedding (raw turns) do not count towards it.
        await store.AddBatchAsync(Enumerable.Range(0, 5).Select(_ => Record(ann, random) with { Embedding = null }).ToList(), "test");
        Assert.Equal((0, Minimum + 5), await MembershipAsync(tenant));

        // One more record takes the key past the minimum: every record of it joins.
        await store.AddAsync(Record(ann, random), "test");
        Assert.Equal((Minimum + 6, 0), await MembershipAsync(tenant));

        // A small user under a large agent: its records join as they are written, the user's key
        // alone would not have them.
        var helper = new MemoryScope(tenant, agentId: "helper");
        await store.AddBatchAsync(Enumerable.Range(0, Minimum + 5).Select(_ => Record(helper, random)).ToList(), "test");
        await store.AddAsync(Record(new MemoryScope(tenant, userId: "bo", agentId: "helper"), random), "test");
        Assert.Equal((1, 0), await MembershipAsync(tenant, "user_id = 'bo'"));
        await store.AddAsync(Record(new MemoryScope(tenant, userId: "cy"), random), "test");
        Assert.Equal((0, 1), await MembershipAsync(tenant, "user_id = 'cy'"));

        // Records stay indexed when their scope shrinks again, and updates keep their membership.
        await store.DeleteScopeAsync(new MemoryScope(tenant, userId: "ann"));
        var kept = Record(ann, random);
        await store.AddAsync(kept, "test");
        Assert.Equal((0, 1), await MembershipAsync(tenant, "user_id = 'ann'"));
        var stored = await store.GetAsync(kept.Id);
        await store.UpdateAsync(stored! with { Content = "changed" }, "test");
        Assert.Equal((0, 1), await MembershipAsync(tenant, "user_id = 'ann'"));
    }

    [Fact]
    public async Task A_bulk_add_marks_the_rows_of_large_scopes_itself_and_leaves_small_ones_to_the_trigger()
    {
        var tenant = "m" + Guid.NewGuid().ToString("N")[..12];
        var random = new Random(11);
        var store = new PostgresMemoryStore(db.DataSource);
        var agent = new MemoryScope(tenant, agentId: "helper");
        await store.AddBatchAsync(Enumerable.Range(0, Minimum + 1).Select(_ => Record(agent, random)).ToList(), "test");

        // One batch over a scope under the large agent, one on its own, and raw rows without embeddings.
        var dee = new MemoryScope(tenant, userId: "dee", agentId: "helper");
        var eve = new MemoryScope(tenant, userId: "eve");
        var batch = Enumerable.Range(0, 6).Select(i => Record(i % 2 == 0 ? dee : eve, random)).ToList();
        batch.Add(Record(dee, random) with { Embedding = null });
        batch.Add(Record(eve, random) with { Embedding = null });
        await store.AddBatchAsync(batch, "test");

        Assert.Equal((4, 0), await MembershipAsync(tenant, "user_id = 'dee'"));
        Assert.Equal((0, 4), await MembershipAsync(tenant, "user_id = 'eve'"));
        // The index path of the agent's scope finds the marked rows.
        var target = batch[0];
        var indexed = new PostgresMemoryStore(db.DataSource, postgresOptions: new PostgresMemoryStoreOptions { ExactSearchThreshold = 0 });
        var hits = await indexed.SearchByVectorAsync(target.Embedding!, new MemoryFilter(agent), 5);
        Assert.Equal(target.Id, hits[0].Record.Id);
    }

    [Fact]
    public async Task An_update_that_gives_records_embeddings_can_take_the_scope_past_the_minimum()
    {
        var tenant = "u" + Guid.NewGuid().ToString("N")[..12];
        var random = new Random(4);
        var store = new PostgresMemoryStore(db.DataSource);
        var scope = new MemoryScope(tenant, userId: "dee");
        var bare = Enumerable.Range(0, Minimum + 3).Select(_ => Record(scope, random) with { Embedding = null }).ToList();
        await store.AddBatchAsync(bare, "test");
        for (var i = 0; i < Minimum; i++)
        {
            var current = await store.GetAsync(bare[i].Id);
            await store.UpdateAsync(current! with { Embedding = RandomVector(random) }, "test");
        }
        Assert.Equal((0, Minimum + 3), await MembershipAsync(tenant));
        var last = await store.GetAsync(bare[Minimum].Id);
        await store.UpdateAsync(last! with { Embedding = RandomVector(random) }, "test");
        Assert.Equal((Minimum + 3, 0), await MembershipAsync(tenant));
    }

    [Fact]
    public async Task Concurrent_writers_that_cross_the_minimum_leave_no_record_of_the_scope_outside()
    {
        var random = new Random(5);
        var store = new PostgresMemoryStore(db.DataSource);
        for (var round = 0; round < 5; round++)
        {
            var tenant = "c" + Guid.NewGuid().ToString("N")[..12];
            var scope = new MemoryScope(tenant, runId: "r");
            // 8 writers, 10 small writes each, around the minimum of 40: several read it as small while
            // another takes it past.
            var writes = Enumerable.Range(0, 8).Select(w => Enumerable.Range(0, 10).Select(_ => Record(scope, new Random(random.Next()))).ToList()).ToList();
            await Task.WhenAll(writes.Select(mine => Task.Run(async () =>
            {
                foreach (var record in mine)
                {
                    if (record.Content.Length % 2 == 0) await store.AddAsync(record, "test");
                    else await store.AddBatchAsync([record], "test");
                }
            })));
            Assert.Equal((80, 0), await MembershipAsync(tenant));
        }
    }

    [Fact]
    public async Task A_search_through_the_index_finds_the_records_written_before_the_scope_was_large()
    {
        var tenant = "s" + Guid.NewGuid().ToString("N")[..12];
        var random = new Random(7);
        var scope = new MemoryScope(tenant, userId: "ann");
        var early = Enumerable.Range(0, 20).Select(_ => Record(scope, random)).ToList();
        var store = new PostgresMemoryStore(db.DataSource, postgresOptions: new PostgresMemoryStoreOptions { ExactSearchThreshold = 0 });
        await store.AddBatchAsync(early, "test");
        foreach (var record in Enumerable.Range(0, 60).Select(_ => Record(scope, random))) await store.AddAsync(record, "test");

        // 80 records, above the minimum: the search takes the index, and finds each early record itself.
        foreach (var record in early.Take(5))
        {
            var hits = await store.SearchByVectorAsync(record.Embedding!, new MemoryFilter(scope), topK: 3);
            Assert.Equal(record.Id, hits[0].Record.Id);
            Assert.Equal(1.0, hits[0].Score, 4);
        }
    }

    [Fact]
    public async Task A_scope_searched_as_it_grows_past_the_minimum_and_shrinks_back_is_answered_right_each_time()
    {
        // The store sends a scope's search with the branch it took last (the exact pass, or the index); a scope
        // of the other size by now hands the statement's search on, and the statement with both answers. Hybrid
        // searches (the signals batch) and plain ones take each turn first in one of the phases.
        var tenant = "g" + Guid.NewGuid().ToString("N")[..12];
        var random = new Random(11);
        var scope = new MemoryScope(tenant, userId: "ann");
        var store = new PostgresMemoryStore(db.DataSource, postgresOptions: new PostgresMemoryStoreOptions { ExactSearchThreshold = 0 });
        var records = Enumerable.Range(0, 30).Select(_ => Record(scope, random)).ToList();
        await store.AddBatchAsync(records, "test");

        async Task FindsEachAsync(bool signalsFirst)
        {
            foreach (var (record, i) in records.Take(4).Select((r, i) => (r, i)))
            {
                var search = new SignalSearch(new MemoryFilter(scope), 3) { Vector = record.Embedding, Text = "note" };
                IReadOnlyList<ScoredMemory> signals, plain;
                if (signalsFirst == (i % 2 == 0))
                {
                    signals = (await store.SearchSignalsAsync(search)).Vector;
                    plain = await store.SearchByVectorAsync(record.Embedding!, new MemoryFilter(scope), topK: 3);
                }
                else
                {
                    plain = await store.SearchByVectorAsync(record.Embedding!, new MemoryFilter(scope), topK: 3);
                    signals = (await store.SearchSignalsAsync(search)).Vector;
                }
                foreach (var hits in new[] { signals, plain })
                {
                    Assert.Equal(3, hits.Count);
                    Assert.Equal(record.Id, hits[0].Record.Id);
                    Assert.Equal(1.0, hits[0].Score, 4);
                }
            }
        }

        await FindsEachAsync(signalsFirst: true);
        Assert.Equal((0, 30), await MembershipAsync(tenant));

        records.AddRange(Enumerable.Range(0, 30).Select(_ => Record(scope, random)));
        await store.AddBatchAsync(records[30..], "test");
        Assert.Equal((60, 0), await MembershipAsync(tenant));
        await FindsEachAsync(signalsFirst: true);
        await FindsEachAsync(signalsFirst: false);

        // Down to 20 records: small again, and the exact pass answers.
        foreach (var record in records[20..]) Assert.True(await store.DeleteAsync(record.Id, "test"));
        records.RemoveRange(20, 40);
        await FindsEachAsync(signalsFirst: false);
        await FindsEachAsync(signalsFirst: true);
    }

    [Fact]
    public async Task Lowering_the_minimum_indexes_every_key_above_it()
    {
        var tenant = "l" + Guid.NewGuid().ToString("N")[..12];
        var random = new Random(9);
        var store = new PostgresMemoryStore(db.DataSource);
        await store.AddBatchAsync(Enumerable.Range(0, 30).Select(_ => Record(new MemoryScope(tenant, userId: "ann"), random)).ToList(), "test");
        await store.AddBatchAsync(Enumerable.Range(0, 10).Select(_ => Record(new MemoryScope(tenant, userId: "bo"), random)).ToList(), "test");
        Assert.Equal((0, 40), await MembershipAsync(tenant));
        try
        {
            await using (var lower = db.DataSource.CreateCommand("SELECT memory_vector_index_set_min_records(20)")) await lower.ExecuteNonQueryAsync();
            Assert.Equal((30, 0), await MembershipAsync(tenant, "user_id = 'ann'"));
            Assert.Equal((0, 10), await MembershipAsync(tenant, "user_id = 'bo'"));
        }
        finally
        {
            await using var restore = db.DataSource.CreateCommand($"SELECT memory_vector_index_set_min_records({Minimum})");
            await restore.ExecuteNonQueryAsync();
        }
    }
}
