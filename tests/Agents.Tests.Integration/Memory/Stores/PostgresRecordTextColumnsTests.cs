using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Postgres;
using Agents.Memory.Stores.Text;
using Agents.Tests.Integration.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>
/// A record's text-search columns (tsvectors and their lengths): every write of the store stores its own
/// analysis of the record's texts (<see cref="TextAnalyzer.Analyze"/>, migration 0105), the one the embedded
/// store ranks by. A row another writer inserts without them gets PostgreSQL's analysis from the trigger and
/// joins the re-analysis list, which the start-up step works off.
/// </summary>
public sealed class PostgresRecordTextColumnsTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private readonly string _tenant = "t" + Guid.NewGuid().ToString("N")[..12];

    private sealed record Columns(string Search, string Content, int SearchLength, int ContentLength, string SearchText, string ContentText);

    private async Task<Columns> StoredAsync(Guid id)
    {
        await using var command = db.DataSource.CreateCommand(
            "SELECT search, content_search, search_length, content_length, search_text, content FROM memory_records WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return new Columns(Describe(reader.GetFieldValue<NpgsqlTsVector>(0)), Describe(reader.GetFieldValue<NpgsqlTsVector>(1)),
            reader.GetInt32(2), reader.GetInt32(3), reader.GetString(4), reader.GetString(5));
    }

    // A tsvector as terms and positions, in ordinal order of the terms.
    private static string Describe(NpgsqlTsVector vector) =>
        string.Join(' ', vector.OrderBy(l => l.Text, StringComparer.Ordinal).Select(l => $"{l.Text}:{string.Join(',', Enumerable.Range(0, l.Count).Select(i => l[i].Pos))}"));

    private static string Describe(AnalyzedText text) =>
        string.Join(' ', text.Terms.Select((t, i) => $"{t}:{string.Join(',', text.Positions[i])}"));

    // The columns hold the store's analysis of the row's own texts.
    private static void AssertAnalysed(Columns stored)
    {
        var search = TextAnalyzer.Analyze(stored.SearchText);
        var content = TextAnalyzer.Analyze(stored.ContentText);
        Assert.Equal(Describe(search), stored.Search);
        Assert.Equal(Describe(content), stored.Content);
        Assert.Equal(search.Length, stored.SearchLength);
        Assert.Equal(content.Length, stored.ContentLength);
    }

    private async Task<bool> ListedAsync(Guid id)
    {
        await using var command = db.DataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM memory_text_reanalysis WHERE id = @id)");
        command.Parameters.AddWithValue("id", id);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private MemoryRecord Note(string content) => new()
    {
        Id = Guid.NewGuid(), Scope = new MemoryScope(_tenant, runId: "r1"), Kind = MemoryKind.Note, Content = content,
        Keywords = ["hiking", "lake"], Tags = ["outdoors"], Context = "a weekend trip; the lakes' shores",
        Embedding = Enumerable.Range(0, 384).Select(i => (float)Math.Sin(i)).ToArray(),
    };

    [Fact]
    public async Task Every_write_of_the_store_stores_its_own_analysis()
    {
        var store = new PostgresMemoryStore(db.DataSource);
        // Words PostgreSQL's parser and stemmer take otherwise: a hyphenated word, an apostrophe, a
        // number with a decimal point, a stem Porter and Snowball disagree on.
        var note = await store.AddAsync(Note("Caroline's well-known hiking trip by the lake, 3.5 km generously."), "test");
        var added = await StoredAsync(note.Id);
        AssertAnalysed(added);
        Assert.DoesNotContain("well-known", added.Content, StringComparison.Ordinal); // PostgreSQL's parser would keep the compound
        Assert.False(await ListedAsync(note.Id));

        // An update that changes the search text only, then one that changes the content.
        var evolved = await store.UpdateAsync(note with { Context = "a cold weekend trip with Melanie" }, "test");
        var afterContext = await StoredAsync(note.Id);
        AssertAnalysed(afterContext);
        Assert.NotEqual(added.Search, afterContext.Search);
        Assert.Equal(added.Content, afterContext.Content);
        var swam = await store.UpdateAsync(evolved with { Content = "Caroline swam in the lake." }, "test");
        AssertAnalysed(await StoredAsync(note.Id));

        // A change of punctuation only leaves the analysis as it was: the store's stays.
        await store.UpdateAsync(swam with { Content = "Caroline swam in the lake!" }, "test");
        AssertAnalysed(await StoredAsync(note.Id));

        // A bulk add (binary COPY) stores the same analysis as an add one by one.
        var bulk = Note("Melanie painted a sunset over the lake, generously.") with { Scope = new MemoryScope(_tenant, runId: "r2") };
        Assert.Equal(1, await store.AddBatchAsync([bulk], "test"));
        AssertAnalysed(await StoredAsync(bulk.Id));
        Assert.False(await ListedAsync(bulk.Id));
    }

    [Fact]
    public async Task A_row_inserted_without_its_analysis_gets_it_at_start_up()
    {
        var store = new PostgresMemoryStore(db.DataSource);
        var note = await store.AddAsync(Note("Caroline's well-known hiking trip by the lake."), "test");
        var copy = Guid.NewGuid();
        // A writer that leaves the tsvectors to the trigger (as every row stored before migration 0105 was).
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
        var server = await StoredAsync(copy);
        Assert.Contains("well-known:", server.Content, StringComparison.Ordinal); // PostgreSQL's parser keeps the compound
        Assert.True(await ListedAsync(copy));

        // Start-up's step: the listed row gets the store's analysis and leaves the list; a listed id whose
        // record is gone leaves it too.
        var gone = Guid.NewGuid();
        await using (var command = db.DataSource.CreateCommand("INSERT INTO memory_text_reanalysis (id) VALUES (@id)"))
        {
            command.Parameters.AddWithValue("id", gone);
            await command.ExecuteNonQueryAsync();
        }
        Assert.True(await PostgresTextReanalysis.RunAsync(db.DataSource) >= 1);
        var analysed = await StoredAsync(copy);
        AssertAnalysed(analysed);
        Assert.Equal(await StoredAsync(note.Id), analysed);
        Assert.False(await ListedAsync(copy));
        Assert.False(await ListedAsync(gone));
        Assert.Equal(0L, await PostgresTextReanalysis.RunAsync(db.DataSource));
    }
}
