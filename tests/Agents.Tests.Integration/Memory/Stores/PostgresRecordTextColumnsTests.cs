using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Tests.Integration.Infrastructure;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>
/// A record's text-search columns (tsvectors and their lengths) and HNSW membership: the store's insert and
/// update statements compute them in the statement (migration 0101), and the row triggers still do for a
/// writer that leaves them out. Both give the same values, which are those of the record's texts.
/// </summary>
public sealed class PostgresRecordTextColumnsTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private readonly string _tenant = "t" + Guid.NewGuid().ToString("N")[..12];

    // The columns as stored, and as the texts stored with them give them.
    private const string Columns = """
        SELECT search::text, content_search::text, search_length, content_length, vector_indexed,
               to_tsvector('english', search_text)::text, to_tsvector('english', content)::text,
               memory_text_length(to_tsvector('english', search_text)), memory_text_length(to_tsvector('english', content))
        FROM memory_records WHERE id = @id
        """;

    private async Task<(string Search, string Content, int SearchLength, int ContentLength, bool Indexed)> StoredAsync(Guid id, bool checkAgainstTexts = true)
    {
        await using var command = db.DataSource.CreateCommand(Columns);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var stored = (reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetBoolean(4));
        if (checkAgainstTexts)
            Assert.Equal((reader.GetString(5), reader.GetString(6), reader.GetInt32(7), reader.GetInt32(8)), (stored.Item1, stored.Item2, stored.Item3, stored.Item4));
        return stored;
    }

    private async Task ExecuteAsync(string sql, Guid id)
    {
        await using var command = db.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_stores_statements_and_the_triggers_give_a_records_text_columns_the_same_values()
    {
        var store = new PostgresMemoryStore(db.DataSource);
        var scope = new MemoryScope(_tenant, runId: "r1");
        var note = await store.AddAsync(new MemoryRecord
        {
            Id = Guid.NewGuid(), Scope = scope, Kind = MemoryKind.Note, Content = "Caroline went hiking by the lake, and the lake was cold.",
            Keywords = ["hiking", "lake"], Tags = ["outdoors"], Context = "a weekend trip",
            Embedding = Enumerable.Range(0, 384).Select(i => (float)Math.Sin(i)).ToArray(),
        }, "test");
        var added = await StoredAsync(note.Id);
        Assert.False(added.Indexed); // a small scope stays out of the HNSW index
        Assert.True(added.SearchLength > added.ContentLength);

        // The same row written by a writer that leaves the columns to the triggers.
        var copy = Guid.NewGuid();
        await using (var command = db.DataSource.CreateCommand("""
            INSERT INTO memory_records (id, tenant, user_id, agent_id, run_id, team_id, kind, content, embedding, keywords, tags, context, category,
                metadata, sources, search_text, observed_at, valid_at, invalid_at, expired_at, created_at, updated_at, version)
            SELECT @copy, tenant, user_id, agent_id, run_id, team_id, kind, content, embedding, keywords, tags, context, category,
                metadata, sources, search_text, observed_at, valid_at, invalid_at, expired_at, created_at, updated_at, version
            FROM memory_records WHERE id = @id
            """))
        {
            command.Parameters.AddWithValue("id", note.Id);
            command.Parameters.AddWithValue("copy", copy);
            await command.ExecuteNonQueryAsync();
        }
        Assert.Equal(added, await StoredAsync(copy));

        // An update through the store that changes the context (the search text) but not the content.
        var evolved = await store.UpdateAsync(note with { Context = "a cold weekend trip with Melanie" }, "test");
        var afterContext = await StoredAsync(note.Id);
        Assert.NotEqual(added.Search, afterContext.Search);
        Assert.Equal(added.Content, afterContext.Content);

        // Then one that changes the content.
        await store.UpdateAsync(evolved with { Content = "Caroline swam in the lake." }, "test");
        var afterContent = await StoredAsync(note.Id);
        Assert.NotEqual(added.Content, afterContent.Content);

        // Writers that change a text and not its tsvector get it from the trigger; a change of neither
        // text leaves both alone.
        await ExecuteAsync("UPDATE memory_records SET content = 'Melanie painted a sunset.', search_text = 'Melanie painted a sunset. painting' WHERE id = @id", copy);
        var rewritten = await StoredAsync(copy);
        Assert.Contains("'sunset'", rewritten.Content, StringComparison.Ordinal);
        await ExecuteAsync("UPDATE memory_records SET metadata = '{\"k\": \"v\"}' WHERE id = @id", copy);
        Assert.Equal(rewritten, await StoredAsync(copy));
    }
}
