using Agents.Inference.Batching;

namespace Agents.Tests.Unit.Grains;

public sealed class RequestBatcherTests
{
    [Fact]
    public async Task Concurrent_requests_run_in_batches_no_larger_than_the_maximum_and_each_gets_its_own_answer()
    {
        var sizes = new List<int>();
        await using var batcher = new RequestBatcher<int, int>("t", new BatcherOptions { Window = TimeSpan.FromMilliseconds(20), MaxBatchSize = 8 },
            (batch, _) => { lock (sizes) sizes.Add(batch.Count); return Task.FromResult<IReadOnlyList<int>>(batch.Select(x => x * 10).ToArray()); });

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => batcher.EnqueueAsync(i)));

        Assert.Equal(Enumerable.Range(0, 40).Select(i => i * 10), answers);
        Assert.All(sizes, s => Assert.InRange(s, 1, 8));
        Assert.Equal(40, sizes.Sum());
        Assert.True(sizes.Count < 40, $"40 concurrent requests ran in {sizes.Count} batches: nothing was batched");
        Assert.Equal(40, batcher.Stats.Requests);
        Assert.Equal(sizes.Count, batcher.Stats.Batches);
    }

    [Fact]
    public async Task A_full_queue_rejects_at_once_and_runs_nothing_of_the_rejected_request()
    {
        var release = new TaskCompletionSource();
        var ran = new List<int>();
        await using var batcher = new RequestBatcher<int, int>("full", new BatcherOptions { Window = TimeSpan.Zero, MaxBatchSize = 1, MaxQueueLength = 2 },
            async (batch, _) => { lock (ran) ran.AddRange(batch); await release.Task; return batch.ToArray(); });

        var first = batcher.EnqueueAsync(1);              // runs, and blocks the only batch slot
        while (batcher.Stats.Batches == 0) await Task.Delay(1);
        var queued = new[] { batcher.EnqueueAsync(2), batcher.EnqueueAsync(3) };   // fill the queue
        var error = Assert.Throws<BatcherOverloadedException>(() => { _ = batcher.EnqueueAsync(4); });

        Assert.Contains("'full' inference queue is full", error.Message);
        Assert.Equal(1, batcher.Stats.Rejected);
        release.SetResult();
        Assert.Equal(1, await first);
        Assert.Equal(new[] { 2, 3 }, await Task.WhenAll(queued));
        Assert.DoesNotContain(4, ran);
    }

    [Fact]
    public async Task A_failing_batch_fails_its_requests_with_the_handler_error_and_the_batcher_keeps_serving()
    {
        var calls = 0;
        await using var batcher = new RequestBatcher<int, int>("f", new BatcherOptions { Window = TimeSpan.Zero },
            (batch, _) => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("device lost") : Task.FromResult<IReadOnlyList<int>>(batch.ToArray()));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.EnqueueAsync(1));
        Assert.Equal("device lost", error.Message);
        Assert.Equal(2, await batcher.EnqueueAsync(2));
    }

    [Fact]
    public async Task A_handler_answering_the_wrong_number_of_responses_is_an_error_not_a_misrouted_answer()
    {
        await using var batcher = new RequestBatcher<int, int>("n", new BatcherOptions { Window = TimeSpan.Zero },
            (_, _) => Task.FromResult<IReadOnlyList<int>>([]));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.EnqueueAsync(1));
        Assert.Contains("returned 0 responses for 1 requests", error.Message);
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestBatcher<int, int>("x", new BatcherOptions { MaxBatchSize = 0 }, (b, _) => Task.FromResult<IReadOnlyList<int>>(b.ToArray())));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestBatcher<int, int>("x", new BatcherOptions { MaxQueueLength = 0 }, (b, _) => Task.FromResult<IReadOnlyList<int>>(b.ToArray())));
    }
}
