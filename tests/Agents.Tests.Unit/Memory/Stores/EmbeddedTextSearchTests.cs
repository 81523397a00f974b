using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using Agents.Memory.Stores.Text;

namespace Agents.Tests.Unit.Memory.Stores;

public sealed class EmbeddedTextSearchTests
{
    private static readonly string[] Vocabulary = ["garden", "tomato", "kayak", "river", "violin", "concert", "recipe", "bread", "hike", "mountain", "paint", "sunset"];

    [Theory]
    [InlineData(false, false, false)] // the scope holds half the store: the postings are walked
    [InlineData(false, true, false)]  // plus a tag filter that rejects half of the scope's best matches
    [InlineData(true, false, false)]  // a user's scope holding every run: the filter passes every match
    [InlineData(false, false, true)]  // each with the filter's own statistics, as below Bm25MaxRecords
    [InlineData(false, true, true)]
    [InlineData(true, false, true)]
    public async Task The_top_k_is_the_head_of_the_full_BM25_ranking_with_ties_by_id(bool wholeUser, bool tagFilter, bool filterStatistics)
    {
        var random = new Random(5);
        // Above the limit a filter is ranked with the whole store's statistics, within it with its own.
        using var store = new EmbeddedMemoryStore(new MemoryStoreOptions(), new EmbeddedMemoryStoreOptions { Bm25MaxRecords = filterStatistics ? 20_000 : 100 });
        var scope = new MemoryScope("t", userId: "u", runId: "a");
        var other = new MemoryScope("t", userId: "u", runId: "b");
        MemoryRecord Record(int i) => new()
        {
            Id = Guid.NewGuid(),
            Scope = i % 2 == 0 ? scope : other,
            Kind = MemoryKind.Note,
            Content = string.Join(' ', Enumerable.Range(0, 1 + random.Next(4)).Select(_ => Vocabulary[random.Next(Vocabulary.Length)])),
            Tags = i % 4 == 0 ? ["kept"] : [],
        };
        // Few words, many records: many equal scores, so tie order is exercised too.
        var records = Enumerable.Range(0, 3000).Select(Record).ToList();
        await store.AddBatchAsync(records, "test");
        // Deleted records free their document numbers and new ones take them: postings then change in
        // the middle, not only at the end.
        foreach (var gone in records.Where((_, i) => i % 10 == 3).ToList())
        {
            await store.DeleteAsync(gone.Id, "test");
            records.Remove(gone);
        }
        var added = Enumerable.Range(0, 300).Select(Record).ToList();
        await store.AddBatchAsync(added, "test");
        records.AddRange(added);
        var filter = new MemoryFilter(wholeUser ? new MemoryScope("t", userId: "u") : scope) { Tags = tagFilter ? ["kept"] : null };

        // Reference: BM25 (k1 1.2, b 0.75). The whole store's statistics, as the index keeps them; or the
        // filter's: N the records it passes, document frequencies among them, the average length of the
        // query's matches among them (as the PostgreSQL store ranks such a filter).
        var terms = records.ToDictionary(r => r.Id, r => TextAnalyzer.Terms(r.Content));
        var filtered = records.Where(filter.Matches).ToList();
        var corpus = filterStatistics ? filtered.Select(r => terms[r.Id]).ToList() : [.. terms.Values];

        foreach (var query in new[] { "kayak", "garden tomato", "violin concert sunset", "bread hike paint river" })
        {
            var queryTerms = TextAnalyzer.Terms(query).Distinct().ToList();
            var matches = filterStatistics ? corpus.Where(t => t.Intersect(queryTerms).Any()).ToList() : corpus;
            var averageLength = Math.Max(1, matches.Average(t => t.Count));
            var idf = queryTerms.ToDictionary(q => q, q =>
            {
                var df = corpus.Count(t => t.Contains(q));
                return Math.Log(1 + (corpus.Count - df + 0.5) / (df + 0.5));
            });
            double Bm25(Guid id) => queryTerms.Sum(q =>
            {
                var tf = terms[id].Count(t => t == q);
                return tf == 0 ? 0 : idf[q] * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * terms[id].Count / averageLength));
            });
            var expected = filtered.Select(r => (r.Id, Score: Bm25(r.Id)))
                .Where(x => x.Score > 0).OrderByDescending(x => Math.Round(x.Score, 9)).ThenBy(x => x.Id).Take(10).ToList();
            var hits = await store.SearchByTextAsync(query, filter, topK: 10, TextField.Content);
            Assert.Equal(expected.Select(x => x.Id), hits.Select(h => h.Record.Id));
            Assert.Equal(expected.Select(x => x.Score), hits.Select(h => h.Score), (a, b) => Math.Abs(a - b) < 1e-9);
            Assert.All(hits, h => Assert.True(filter.Matches(h.Record)));
        }
    }
}
