using Agents.Inference.Attention;
using Xunit.Abstractions;

namespace Agents.Tests.Unit.Attention;

public sealed class ExactMemoryReaderTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 10)]
    [InlineData(17, 64)]
    public void Matches_a_naive_scan(int batch, int k)
    {
        var seed = TestVectors.FreshSeed();
        output.WriteLine($"seed {seed}");
        var data = new TestVectors(seed);
        const int n = 3000, d = 40; // d not a multiple of the SIMD width: the scalar tails run too
        var keys = data.Gaussian(n, d, 1f);
        var ids = TestVectors.Ids(n);
        using var reader = new ExactMemoryReader(d);
        reader.InsertRange(ids, keys);
        var queries = data.Gaussian(batch, d, 1f);
        var result = new ReadResult(batch, k, d);
        reader.Read(queries, new ReadOptions(k, Temperature: 0.2f), result);

        var unit = (float[])keys.Clone();
        TestVectors.Normalise(unit, d);
        var unitQueries = (float[])queries.Clone();
        TestVectors.Normalise(unitQueries, d);
        for (var q = 0; q < batch; q++)
        {
            var cosines = Enumerable.Range(0, n)
                .Select(i => (Id: ids[i], Cos: Dot(unitQueries.AsSpan(q * d, d), unit.AsSpan(i * d, d))))
                .OrderByDescending(x => x.Cos).Take(k).ToArray();
            Assert.Equal(k, result.Ids(q).Length);
            for (var i = 0; i < k; i++)
                Assert.Equal(cosines[i].Cos, result.Scores(q)[i], 1e-5);
            Assert.Equal(cosines.Select(c => c.Id).ToHashSet(), result.Ids(q).ToArray().ToHashSet());
            Assert.Equal(n, result.CandidateCount(q));
            ReaderAssert.ContractHolds(result, q, id => unit.AsSpan((int)(id - 1000) * d, d).ToArray(), 0.2f);
        }
    }

    [Fact]
    public void Separate_values_make_the_readout()
    {
        var seed = TestVectors.FreshSeed();
        output.WriteLine($"seed {seed}");
        var data = new TestVectors(seed);
        const int n = 500, d = 16, dv = 5;
        var keys = data.Gaussian(n, d, 1f);
        var values = data.Gaussian(n, dv, 3f);
        var ids = TestVectors.Ids(n);
        using var reader = new ExactMemoryReader(d, dv);
        reader.InsertRange(ids, keys, values);
        var result = new ReadResult(3, 7, dv);
        reader.Read(data.Gaussian(3, d, 1f), new ReadOptions(7, Temperature: 0.5f), result);
        for (var q = 0; q < 3; q++)
            ReaderAssert.ContractHolds(result, q, id => values.AsSpan((int)(id - 1000) * dv, dv).ToArray(), 0.5f);
    }

    [Fact]
    public void Inserts_updates_and_deletes_are_seen_by_the_next_read()
    {
        var seed = TestVectors.FreshSeed();
        output.WriteLine($"seed {seed}");
        var data = new TestVectors(seed);
        const int n = 9000, d = 32; // more than two storage chunks, so deletes move rows across chunks
        var keys = data.Gaussian(n, d, 1f);
        using var reader = new ExactMemoryReader(d);
        reader.InsertRange(TestVectors.Ids(n), keys);
        MutationScenario.Run(reader, data, keys, d);
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var s = 0f;
        for (var i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
