using Agents.Inference.Attention;
using Xunit.Abstractions;

namespace Agents.Tests.Unit.Attention;

public sealed class ConcurrentAccessTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("exact")]
    [InlineData("routed")]
    public async Task Reads_run_alongside_inserts_updates_and_deletes(string kind)
    {
        const int d = 32, n = 4000;
        var seed = TestVectors.FreshSeed();
        output.WriteLine($"seed {seed}");
        var data = new TestVectors(seed);
        var keys = data.Clustered(n, d, 30, 0.6f, out _);
        using IMemoryReader reader = kind == "exact" ? new ExactMemoryReader(d) : new RoutedMemoryReader(d, options: new RoutedReaderOptions { Seed = seed, EmaBatchSize = 8 });
        reader.InsertRange(TestVectors.Ids(n), keys);
        var extra = data.Gaussian(300, d, 1f);
        var queries = data.Perturbed(keys, d, 16, 0.3f);

        // Dedicated threads: pool threads busy in read loops must not delay the writer (or the reads' own Parallel.For).
        var writer = Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                reader.Insert(100_000 + i, extra.AsSpan(i * d, d));
                if (i % 3 == 0) reader.Update(1000 + i, extra.AsSpan(i * d, d));
                if (i % 5 == 0) reader.Delete(100_000 + i);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            var result = new ReadResult(16, 5, d);
            var reads = 0;
            while (!writer.IsCompleted || reads == 0)
            {
                reader.Read(queries, new ReadOptions(5), result);
                for (var q = 0; q < 16; q++)
                {
                    Assert.Equal(1.0, result.Weights(q).ToArray().Sum(w => (double)w), 1e-5);
                    Assert.Equal(5, result.Ids(q).ToArray().Distinct().Count());
                }
                reads++;
            }
            return reads;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        await writer;
        var counts = await Task.WhenAll(readers);
        output.WriteLine($"reads {string.Join(", ", counts)}");
        Assert.Equal(n + 300 - 60, reader.Count);
        var check = new ReadResult(1, 1, d);
        reader.Read(extra.AsSpan(3 * d, d), new ReadOptions(1), check);
        Assert.Contains(check.Ids(0)[0], new[] { 100_003L, 1003L }); // inserted as 100003 and written over id 1003
    }
}
