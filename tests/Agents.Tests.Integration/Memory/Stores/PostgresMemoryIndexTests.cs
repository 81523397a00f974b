using Agents.Infra;
using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;
using Agents.Tests.Integration.Memory.Conformance;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>The PostgreSQL store's queries are the ones the migration's indexes serve.</summary>
public sealed class PostgresMemoryIndexTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private async Task<List<string>> ExplainAsync(string settings, string sql, Action<Npgsql.NpgsqlParameterCollection> parameters)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        // The settings hold for this explain only: pooled connections go back unreset.
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var off = new Npgsql.NpgsqlCommand(settings.Replace("SET ", "SET LOCAL ", StringComparison.Ordinal), connection, transaction)) await off.ExecuteNonQueryAsync();
        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN " + sql, connection, transaction);
        parameters(explain.Parameters);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        await transaction.RollbackAsync();
        return plan;
    }

    [Fact]
    public async Task Vector_text_and_scope_queries_use_the_hnsw_gin_and_btree_indexes()
    {
        var store = new PostgresMemoryStore(db.DataSource);
        var random = new Random(3);
        var records = Enumerable.Range(0, 1500).Select(i => new MemoryRecord
        {
            Id = Guid.NewGuid(), Scope = new MemoryScope("t", userId: "u" + (i % 10), agentId: "bench"), Kind = MemoryKind.Note,
            Content = $"memory number {i} about topic {i % 17}",
            Embedding = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(),
        }).ToList();
        await store.AddBatchAsync(records, "test");
        await using (var analyze = db.DataSource.CreateCommand("ANALYZE memory_records")) await analyze.ExecuteNonQueryAsync();

        var vectorPlan = await ExplainAsync("SET enable_seqscan = off; SET enable_bitmapscan = off",
            "SELECT id FROM memory_records WHERE embedding_dims = 384 AND vector_indexed AND tenant = 't' AND agent_id = 'bench' AND expired_at IS NULL " +
            "ORDER BY embedding::halfvec(384) <=> @q::halfvec(384) LIMIT 10",
            p => p.Add(PgVector.Parameter("q", records[0].Embedding!)));
        Assert.True(vectorPlan.Any(l => l.Contains("memory_records_embedding_384", StringComparison.Ordinal)), string.Join("\n", vectorPlan));

        var textPlan = await ExplainAsync("SET enable_seqscan = off", "SELECT id FROM memory_records WHERE search @@ to_tsquery('english', 'xylophone') AND tenant = 't'", _ => { });
        Assert.True(textPlan.Any(l => l.Contains("memory_records_search", StringComparison.Ordinal)), string.Join("\n", textPlan));

        var scopePlan = await ExplainAsync("SET enable_seqscan = off", "SELECT id FROM memory_records WHERE tenant = 't' AND user_id = 'u3'", _ => { });
        Assert.True(scopePlan.Any(l => l.Contains("memory_records_user", StringComparison.Ordinal)), string.Join("\n", scopePlan));

        // One kind in one scope, in observation order (the pipelines' lookups): a range of the scope index.
        var kindPlan = await ExplainAsync("SET enable_seqscan = off; SET enable_bitmapscan = off",
            "SELECT id FROM memory_records WHERE tenant = 't' AND user_id = 'u3' AND kind = 'note' ORDER BY observed_at LIMIT 5", _ => { });
        Assert.True(kindPlan.Any(l => l.Contains("Index Scan using memory_records_user_kind", StringComparison.Ordinal)), string.Join("\n", kindPlan));
        Assert.DoesNotContain(kindPlan, l => l.Contains("Sort", StringComparison.Ordinal));

        // Embeddings are kept in the row (exact search over a small scope reads no TOAST chunk per row).
        await using (var storage = db.DataSource.CreateCommand(
            "SELECT attstorage::text FROM pg_attribute WHERE attrelid = 'memory_records'::regclass AND attname = 'embedding'"))
            Assert.Equal("m", (string?)await storage.ExecuteScalarAsync());

        // No statistics for the embeddings, the column or the HNSW index's expression (migration 0107): no
        // plan reads them, and ANALYZE gathered them from every sampled row.
        await using (var statistics = db.DataSource.CreateCommand("""
            SELECT count(*) FROM pg_attribute
            WHERE (attrelid = 'memory_records'::regclass AND attname = 'embedding' OR attrelid = 'memory_records_embedding_384'::regclass AND attnum = 1)
              AND attstattarget = 0
            """))
            Assert.Equal(2L, (long)(await statistics.ExecuteScalarAsync())!);
        // And no index that no query reads (0108): every query names a scope key, whose indexes lead with it.
        await using (var kindOnly = db.DataSource.CreateCommand("SELECT to_regclass('memory_records_kind_observed') IS NULL"))
            Assert.True((bool)(await kindOnly.ExecuteScalarAsync())!);

        // Room for heap-only updates (migration 0095), and the tables the pipelines rewrite are vacuumed
        // early (0096).
        await using (var options = db.DataSource.CreateCommand("SELECT relname, reloptions FROM pg_class WHERE relname IN ('memory_records', 'memory_jobs')"))
        await using (var reader = await options.ExecuteReaderAsync())
        {
            var byTable = new Dictionary<string, string[]>();
            while (await reader.ReadAsync()) byTable[reader.GetString(0)] = reader.GetFieldValue<string[]>(1);
            Assert.Contains("fillfactor=85", byTable["memory_records"]);
            Assert.All(byTable.Values, o => Assert.Contains("autovacuum_vacuum_scale_factor=0.02", o));
        }

        // And the store's own search agrees with an exact computation on its top hit.
        var hits = await store.SearchByVectorAsync(records[42].Embedding!, new MemoryFilter(new MemoryScope("t", agentId: "bench")), topK: 5);
        Assert.Equal(records[42].Id, hits[0].Record.Id);
        Assert.Equal(1.0, hits[0].Score, 4);
    }

    [Fact]
    public async Task A_small_scope_is_searched_exactly_and_agrees_with_brute_force()
    {
        var random = new Random(5);
        var records = Enumerable.Range(0, 600).Select(i => new MemoryRecord
        {
            Id = Guid.NewGuid(), Scope = new MemoryScope("small", userId: "u" + (i % 3)), Kind = MemoryKind.Note,
            Content = $"small scope memory {i}",
            Embedding = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(),
        }).ToList();
        var exact = new PostgresMemoryStore(db.DataSource, postgresOptions: new PostgresMemoryStoreOptions { ExactSearchThreshold = 1000 });
        var viaIndex = new PostgresMemoryStore(db.DataSource, postgresOptions: new PostgresMemoryStoreOptions { ExactSearchThreshold = 0 });
        // Every scope indexed (migration 0094), so that the store without an exact threshold takes the index.
        await using (var everything = db.DataSource.CreateCommand("SELECT memory_vector_index_set_min_records(0)")) await everything.ExecuteNonQueryAsync();
        await exact.AddBatchAsync(records, "test");

        var query = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var filter = new MemoryFilter(new MemoryScope("small", userId: "u1"));
        var expected = records.Where(r => r.Scope.UserId == "u1")
            .OrderByDescending(r => Cosine(r.Embedding!, query)).Take(10).Select(r => r.Id).ToArray();

        var found = await exact.SearchByVectorAsync(query, filter, topK: 10);
        Assert.Equal(expected, found.Select(h => h.Record.Id));
        Assert.All(found, h => Assert.Equal("u1", h.Record.Scope.UserId));
        var approximate = await viaIndex.SearchByVectorAsync(query, filter, topK: 10);
        Assert.All(approximate, h => Assert.Equal("u1", h.Record.Scope.UserId));
        Assert.Equal(found[0].Score, approximate.Max(h => h.Score), 4);
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }

    [Fact]
    public async Task Above_the_bm25_limit_full_text_ranks_by_bm25_over_the_table_and_finds_the_same_records()
    {
        var scope = new MemoryScope("t", userId: $"big{Guid.NewGuid():N}");
        var bm25 = new PostgresMemoryStore(db.DataSource, new MemoryStoreOptions { Dimension = 384 }, new PostgresMemoryStoreOptions { Bm25MaxRecords = 100 });
        var large = new PostgresMemoryStore(db.DataSource, new MemoryStoreOptions { Dimension = 384 }, new PostgresMemoryStoreOptions { Bm25MaxRecords = 3 });
        await bm25.AddBatchAsync(Enumerable.Range(0, 6).Select(i => new MemoryRecord
        {
            Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note, Content = i == 0 ? "A kayak trip." : $"Another weekend, number {i}.",
        }).ToList(), "test");
        var filter = new MemoryFilter(scope);

        var ranked = await bm25.SearchByTextAsync("kayak weekend", filter);
        var overTable = await large.SearchByTextAsync("kayak weekend", filter);
        Assert.Equal(6, ranked.Count);
        Assert.Equal(ranked.Select(h => h.Record.Id).Order(), overTable.Select(h => h.Record.Id).Order());
        // Both weigh the rare word above the common one (the scope's own statistics, or the table's).
        Assert.Equal("A kayak trip.", ranked[0].Record.Content);
        Assert.Equal("A kayak trip.", overTable[0].Record.Content);
        Assert.All(overTable, h => Assert.True(h.Score > 0));

        // With the limit at 0 every filter is ranked over the table's statistics; the hybrid search's text
        // signals take the same path.
        var always = new PostgresMemoryStore(db.DataSource, new MemoryStoreOptions { Dimension = 384 }, new PostgresMemoryStoreOptions { Bm25MaxRecords = 0 });
        var plain = await always.SearchByTextAsync("kayak weekend", filter);
        Assert.Equal(overTable.Select(h => (h.Record.Id, h.Score)), plain.Select(h => (h.Record.Id, h.Score)));
        Assert.Equal(2, (await always.SearchByTextAsync("kayak weekend", filter, topK: 2)).Count);
        var signals = await always.SearchSignalsAsync(new SignalSearch(filter, 10) { Text = "kayak weekend", ContentText = "kayak" });
        Assert.Equal(overTable.Select(h => h.Record.Id), signals.Text.Select(h => h.Record.Id));
        Assert.Equal("A kayak trip.", Assert.Single(signals.ContentText).Record.Content);

        // Any text is a query: quotes, backslashes, operators and paths become lexemes or nothing.
        Assert.Equal("A kayak trip.", (await always.SearchByTextAsync(@"it's a 'kayak' \ & | ! (C:\trips\kayak.txt) <-> x@y.com", filter))[0].Record.Content);
        Assert.Empty(await always.SearchByTextAsync("the of and", filter)); // stop words only
        Assert.Empty(await always.SearchByTextAsync("zeppelin", filter));   // a word no record holds
    }

    [Theory]
    [InlineData(false)] // no statistics for the new words yet: every lexeme is counted
    [InlineData(true)]  // analysed: the most common lexemes' frequencies come from ANALYZE
    public async Task Above_the_bm25_limit_the_pruned_top_k_is_the_head_of_the_full_ranking(bool analysed)
    {
        // The statistics stay as the test sets them: no autovacuum analyses the table between two searches.
        await using (var off = db.DataSource.CreateCommand("ALTER TABLE memory_records SET (autovacuum_enabled = false)")) await off.ExecuteNonQueryAsync();
        try
        {
            await RankAgainstTheFullRankingAsync(analysed);
        }
        finally
        {
            await using var on = db.DataSource.CreateCommand("ALTER TABLE memory_records RESET (autovacuum_enabled)");
            await on.ExecuteNonQueryAsync();
        }
    }

    private async Task RankAgainstTheFullRankingAsync(bool analysed)
    {
        // Words of very different frequencies, so that pruning leaves most matches unread.
        string[] words = ["alder", "birch", "cedar", "dogwood", "elm", "fir", "ginkgo", "hazel", "ivy", "juniper", "larch", "maple"];
        var random = new Random(analysed ? 11 : 12);
        string Word() => words[Math.Min(words.Length - 1, (int)(words.Length * Math.Pow(random.NextDouble(), 3)))];
        var scope = new MemoryScope("t", userId: $"prune{Guid.NewGuid():N}");
        var store = new PostgresMemoryStore(db.DataSource, new MemoryStoreOptions { Dimension = 384 }, new PostgresMemoryStoreOptions { Bm25MaxRecords = 1 });
        await store.AddBatchAsync(Enumerable.Range(0, 400).Select(_ => new MemoryRecord
        {
            Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note,
            Content = string.Join(' ', Enumerable.Range(0, 3 + random.Next(10)).Select(_ => Word())),
        }).ToList(), "test");
        if (analysed) await using (var analyze = db.DataSource.CreateCommand("ANALYZE memory_records")) await analyze.ExecuteNonQueryAsync();
        var filter = new MemoryFilter(scope);

        for (var q = 0; q < 25; q++)
        {
            var query = string.Join(' ', Enumerable.Range(0, 1 + random.Next(5)).Select(_ => Word()));
            // More than match: every match is read and ranked, nothing pruned.
            var full = await store.SearchByTextAsync(query, filter, topK: 1000);
            var pruned = await store.SearchByTextAsync(query, filter, topK: 5);
            Assert.NotEmpty(full);
            Assert.Equal(full.Select(h => h.Score).OrderDescending(), full.Select(h => h.Score));
            Assert.Equal(full.Take(5).Select(h => (h.Record.Id, h.Score)), pruned.Select(h => (h.Record.Id, h.Score)));
        }
    }

    [Fact]
    public async Task Above_the_bm25_limit_equal_scores_fall_in_the_servers_id_order()
    {
        var scope = new MemoryScope("t", userId: $"ties{Guid.NewGuid():N}");
        var store = new PostgresMemoryStore(db.DataSource, new MemoryStoreOptions { Dimension = 384 }, new PostgresMemoryStoreOptions { Bm25MaxRecords = 1 });
        await store.AddBatchAsync(Enumerable.Range(0, 40).Select(_ => new MemoryRecord
        {
            Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note, Content = "The same canoe trip.",
        }).ToList(), "test");

        var hits = await store.SearchByTextAsync("canoe", new MemoryFilter(scope), topK: 7);

        Assert.Single(hits.Select(static h => h.Score).Distinct());
        var first = new List<Guid>();
        await using (var command = db.DataSource.CreateCommand("SELECT id FROM memory_records WHERE tenant = 't' AND user_id = $1 ORDER BY id LIMIT 7"))
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = scope.UserId });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) first.Add(reader.GetGuid(0));
        }
        Assert.Equal(first, hits.Select(static h => h.Record.Id));
    }

    [Fact]
    public async Task Above_the_bm25_limit_the_table_statistics_are_reused_for_their_lifetime()
    {
        await using (var off = db.DataSource.CreateCommand("ALTER TABLE memory_records SET (autovacuum_enabled = false)")) await off.ExecuteNonQueryAsync();
        try
        {
            var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
            var scope = new MemoryScope("t", userId: $"stats{Guid.NewGuid():N}");
            var cached = new PostgresMemoryStore(db.DataSource, new MemoryStoreOptions { Dimension = 384 },
                new PostgresMemoryStoreOptions { Bm25MaxRecords = 1, TextStatisticsLifetime = TimeSpan.FromSeconds(10) }, clock);
            var fresh = new PostgresMemoryStore(db.DataSource, new MemoryStoreOptions { Dimension = 384 },
                new PostgresMemoryStoreOptions { Bm25MaxRecords = 1, TextStatisticsLifetime = TimeSpan.Zero });
            string[] contents = ["A kayak trip to the lake.", "The lake was cold.", "Kayak lessons on Sunday.", "Lunch by the lake."];
            await cached.AddBatchAsync(contents.Select(c => new MemoryRecord { Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note, Content = c }).ToList(), "test");
            await AnalyzeAsync();
            var filter = new MemoryFilter(scope);
            async Task<List<(Guid, double)>> SearchAsync(PostgresMemoryStore store) =>
                (await store.SearchByTextAsync("kayak lake", filter)).Select(static h => (h.Record.Id, h.Score)).ToList();

            var before = await SearchAsync(cached);
            Assert.Equal(before, await SearchAsync(fresh));

            // Many more rows elsewhere, without the query's words: the table's row count, and so every weight, moves.
            var elsewhere = new MemoryScope("t", userId: $"other{Guid.NewGuid():N}");
            await cached.AddBatchAsync(Enumerable.Range(0, 300).Select(i => new MemoryRecord
            {
                Id = Guid.NewGuid(), Scope = elsewhere, Kind = MemoryKind.Note, Content = $"Groceries, list number {i}.",
            }).ToList(), "test");
            await AnalyzeAsync();
            var now = await SearchAsync(fresh);
            Assert.NotEqual(before, now);
            Assert.Equal(before, await SearchAsync(cached)); // within the lifetime: the statistics read before

            clock.Advance(TimeSpan.FromSeconds(11));
            Assert.Equal(now, await SearchAsync(cached));
        }
        finally
        {
            await using var on = db.DataSource.CreateCommand("ALTER TABLE memory_records RESET (autovacuum_enabled)");
            await on.ExecuteNonQueryAsync();
        }

        async Task AnalyzeAsync()
        {
            await using var analyze = db.DataSource.CreateCommand("ANALYZE memory_records");
            await analyze.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_scope_found_above_the_bm25_limit_skips_the_count_for_the_lifetime_then_is_counted_again()
    {
        await using (var off = db.DataSource.CreateCommand("ALTER TABLE memory_records SET (autovacuum_enabled = false)")) await off.ExecuteNonQueryAsync();
        try
        {
            var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
            var options = new MemoryStoreOptions { Dimension = 384 };
            var remembering = new PostgresMemoryStore(db.DataSource, options,
                new PostgresMemoryStoreOptions { Bm25MaxRecords = 3, TextStatisticsLifetime = TimeSpan.FromSeconds(10) }, clock);
            var counting = new PostgresMemoryStore(db.DataSource, options, new PostgresMemoryStoreOptions { Bm25MaxRecords = 3, TextStatisticsLifetime = TimeSpan.Zero });
            var overTable = new PostgresMemoryStore(db.DataSource, options, new PostgresMemoryStoreOptions { Bm25MaxRecords = 0, TextStatisticsLifetime = TimeSpan.Zero });
            var scope = new MemoryScope("t", userId: $"shrink{Guid.NewGuid():N}");
            var records = new[] { "A kayak trip.", "Kayak and canoe.", "Canoe lessons.", "Weekend kayak rental.", "Lunch by the river." }
                .Select(c => new MemoryRecord { Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note, Content = c }).ToList();
            await remembering.AddBatchAsync(records, "test");
            // Statistics that stay put (autovacuum is off), so every store weighs by the same table statistics.
            await using (var analyze = db.DataSource.CreateCommand("ANALYZE memory_records")) await analyze.ExecuteNonQueryAsync();
            var filter = new MemoryFilter(scope);
            async Task<List<(Guid, double)>> TextAsync(PostgresMemoryStore store) =>
                (await store.SearchByTextAsync("kayak canoe", filter)).Select(static h => (h.Record.Id, h.Score)).ToList();
            async Task<List<(Guid, double)>> SignalsAsync(PostgresMemoryStore store) =>
                (await store.SearchSignalsAsync(new SignalSearch(filter, 10) { Text = "kayak canoe" })).Text.Select(static h => (h.Record.Id, h.Score)).ToList();

            // Five rows, above the limit of 3: ranked with the table's statistics.
            Assert.Equal(await TextAsync(overTable), await TextAsync(remembering));
            foreach (var record in records.Take(2)) await remembering.DeleteAsync(record.Id, "test");

            // Three rows now: a store that counts ranks them with their own statistics; the one that found the
            // scope large goes on with the table's, in both kinds of search, until the lifetime is over.
            var own = await TextAsync(counting);
            var table = await TextAsync(overTable);
            Assert.NotEqual(own, table);
            Assert.Equal(table, await TextAsync(remembering));
            Assert.Equal(table, await SignalsAsync(remembering));

            clock.Advance(TimeSpan.FromSeconds(11));
            Assert.Equal(own, await TextAsync(remembering));
            Assert.Equal(await SignalsAsync(counting), await SignalsAsync(remembering));
        }
        finally
        {
            await using var on = db.DataSource.CreateCommand("ALTER TABLE memory_records RESET (autovacuum_enabled)");
            await on.ExecuteNonQueryAsync();
        }
    }
}
