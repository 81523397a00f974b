using Agents.Inference.Text;
using Agents.Memory.Stores.Text;
using Agents.Tests.Integration.Infrastructure;
using Npgsql;

namespace Agents.Tests.Integration.Memory.Stores;

/// <summary>The shared stop-word list is the one PostgreSQL's <c>english</c> configuration uses.</summary>
public sealed class PostgresStopWordTests
{
    // Function words of other common lists (classic IR, chat filler) that PostgreSQL keeps, and content words.
    private static readonly string[] OtherWords =
    [
        "could", "would", "also", "cannot", "let", "ought", "won", "didn", "isn", "m", "ve", "ll", "re", "d", "shall",
        "might", "must", "yeah", "okay", "today", "thing", "get", "like", "us", "one", "painting", "caroline", "2023",
    ];

    [Fact]
    public async Task PostgreSQL_drops_exactly_the_words_of_the_shared_list()
    {
        string[] words = [.. EnglishStopWords.Words, .. OtherWords];
        var droppedByPostgres = new Dictionary<string, bool>(StringComparer.Ordinal);
        await using (var connection = await TestPostgres.OpenServerAsync())
        await using (var command = new NpgsqlCommand("SELECT w, to_tsvector('english', w) = ''::tsvector FROM unnest(@words) AS w", connection))
        {
            command.Parameters.AddWithValue("words", words);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) droppedByPostgres[reader.GetString(0)] = reader.GetBoolean(1);
        }

        Assert.Equal(words.Length, droppedByPostgres.Count);
        foreach (var (word, dropped) in droppedByPostgres)
        {
            Assert.True(dropped == EnglishStopWords.Contains(word), $"'{word}': PostgreSQL drops it: {dropped}");
            Assert.True(dropped == (TextAnalyzer.Terms(word).Count == 0), $"'{word}': the embedded analyzer disagrees with PostgreSQL");
        }
    }
}
