using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;

namespace Agents.Tests.Unit.Memory.Stores;

public sealed class EmbeddedVectorSearchTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(100)]
    [InlineData(384)]
    public void Int8_dot_product_equals_the_scalar_sum(int length)
    {
        var random = new Random(length);
        var a = Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
        var b = Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
        var expected = 0;
        for (var i = 0; i < length; i++) expected += a[i] * b[i];
        Assert.Equal(expected, VectorMath.DotInt8(a, b));
        var extremes = Enumerable.Repeat((sbyte)-127, length).ToArray();
        Assert.Equal(127 * 127 * length, VectorMath.DotInt8(extremes, extremes));
    }

    [Fact]
    public void Quantisation_keeps_each_component_within_half_a_step()
    {
        var random = new Random(3);
        var v = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var codes = new sbyte[v.Length];
        var scale = VectorMath.Quantize(v, codes);
        for (var i = 0; i < v.Length; i++) Assert.InRange(v[i] - codes[i] * scale, -scale / 2 - 1e-6f, scale / 2 + 1e-6f);
    }

    [Theory]
    [InlineData(3000, false)]
    [InlineData(3000, true)]   // a user's scope holding every run: the filter passes every row
    [InlineData(20000, false)]
    [InlineData(70000, true)]  // above the parallel-scan threshold
    [InlineData(70000, false)]
    public async Task The_quantised_first_pass_with_exact_rescoring_returns_the_exact_top_k(int rows, bool wholeUser)
    {
        const int dimension = 64;
        var random = new Random(11);
        float[] RandomVector() => Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        using var store = new EmbeddedMemoryStore(new MemoryStoreOptions { Dimension = dimension });
        var scope = new MemoryScope("t", userId: "u", runId: "a");
        var other = new MemoryScope("t", userId: "u", runId: "b");
        var records = Enumerable.Range(0, rows).Select(i => new MemoryRecord
        {
            Id = Guid.NewGuid(), Scope = i % 2 == 0 ? scope : other, Kind = MemoryKind.Note, Content = $"r{i}", Embedding = RandomVector(),
        }).ToList();
        await store.AddBatchAsync(records, "test");
        var filter = new MemoryFilter(wholeUser ? new MemoryScope("t", userId: "u") : scope);

        for (var q = 0; q < 30; q++)
        {
            var query = RandomVector();
            var exact = records.Where(filter.Matches).Select(r => (r.Id, Score: Cosine(r.Embedding!, query))).OrderByDescending(x => x.Score).Take(10).ToList();
            var hits = await store.SearchByVectorAsync(query, filter, topK: 10);
            Assert.Equal(exact.Select(x => x.Id), hits.Select(h => h.Record.Id));
            Assert.Equal(exact[0].Score, hits[0].Score, 4);
        }
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }
}

public sealed class MemoryStoreFactoryTests
{
    [Fact]
    public void Without_a_database_the_embedded_store_is_chosen_with_the_configured_dimension()
    {
        var store = MemoryStoreFactory.Create(new MemoryStoreOptions { Dimension = 12 });
        Assert.IsType<EmbeddedMemoryStore>(store);
        Assert.Equal(12, store.Dimension);
        ((IDisposable)store).Dispose();
    }
}
