using Agents.Abstractions;
using Agents.Abstractions.Inference;
using Agents.Tests.Integration.Llm;
using Orleans.TestingHost;

namespace Agents.Tests.Integration.Grains;

/// <summary>The inference pool in front of an OpenAI-compatible endpoint (the scripted server, real HTTP).</summary>
public sealed class InferencePoolOverHttpTests : IAsyncLifetime
{
    private ScriptedOpenAiServer _server = null!;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _server = await ScriptedOpenAiServer.StartAsync();
        _cluster = await AgentsTestCluster.StartAsync(1, new Dictionary<string, string?>
        {
            ["Agents:Llm:BaseUrl"] = _server.BaseUrl.ToString(),
            ["Agents:Llm:ChatModel"] = "scripted-chat",
            ["Agents:Llm:EmbeddingModel"] = "scripted-embed",
            ["Agents:Llm:MaxConcurrentRequests"] = "16",   // the endpoint client allows more: the pool is what bounds
            ["Agents:Inference:Pool:Chat:Window"] = "00:00:00",
            ["Agents:Inference:Pool:Chat:MaxBatchSize"] = "1",
            ["Agents:Inference:Pool:Chat:MaxConcurrentBatches"] = "2",
            ["Agents:Inference:Pool:Chat:MaxQueueLength"] = "8",
            ["Agents:Inference:Pool:Embeddings:Window"] = "00:00:00.200",
            ["Agents:Inference:Pool:Embeddings:MaxBatchSize"] = "16",
            ["Agents:Inference:Pool:Embeddings:MaxConcurrentBatches"] = "1",
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Chat_calls_through_the_pool_are_bounded_per_silo_whatever_the_callers_do()
    {
        _server.AnswerOtherwiseWith(_ => ScriptedResponse.Chat("pong") with { HoldUntilInFlight = 2, Delay = TimeSpan.FromMilliseconds(20) });
        var pool = _cluster.Client.GetGrain<IInferenceGrain>(IInferenceGrain.Pool);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => pool.ChatAsync(new ChatPrompt("be brief", $"ping {i}"))));

        Assert.All(answers, a => Assert.Equal("pong", a));
        Assert.Equal(8, _server.RequestCount("/chat/completions"));
        Assert.Equal(2, _server.MaxInFlight);
        var chat = (await pool.StatsAsync()).Queues.Single(q => q.Queue == "chat");
        Assert.Equal(8, chat.Requests);
    }

    [Fact]
    public async Task Concurrent_embedding_requests_reach_the_endpoint_as_one_batch()
    {
        _server.AnswerOtherwiseWith(request =>
        {
            var inputs = request.Json.GetProperty("input").GetArrayLength();
            return ScriptedResponse.Embeddings(Enumerable.Range(0, inputs).Select(i => new[] { 1f, i }).ToArray());
        });
        var pool = _cluster.Client.GetGrain<IInferenceGrain>(IInferenceGrain.Pool);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => pool.EmbedAsync([$"text {i}"])));

        Assert.All(results, r => Assert.Equal(2, Assert.Single(r).Length));
        Assert.True(_server.RequestCount("/embeddings") < 6, $"6 concurrent embedding calls made {_server.RequestCount("/embeddings")} requests: nothing was batched");
    }

    [Fact]
    public async Task Past_the_queue_limit_a_call_is_rejected_as_overloaded_and_the_rest_are_answered()
    {
        var release = new TaskCompletionSource();
        _server.AnswerOtherwiseWith(_ => { release.Task.Wait(TimeSpan.FromSeconds(20)); return ScriptedResponse.Chat("late"); });
        var pool = _cluster.Client.GetGrain<IInferenceGrain>(IInferenceGrain.Pool);

        // Two run (the silo's chat limit), eight wait (the queue limit): the eleventh is refused.
        var accepted = Enumerable.Range(0, 2).Select(i => pool.ChatAsync(new ChatPrompt("s", $"running {i}"))).ToList();
        while (_server.RequestCount("/chat/completions") < 2) await Task.Delay(5);
        accepted.AddRange(Enumerable.Range(0, 8).Select(i => pool.ChatAsync(new ChatPrompt("s", $"queued {i}"))));
        while ((await pool.StatsAsync()).Queues.Single(q => q.Queue == "chat").Depth < 8) await Task.Delay(5);

        var error = await Assert.ThrowsAsync<OverloadedException>(() => pool.ChatAsync(new ChatPrompt("s", "one too many")));
        Assert.Contains("queue is full", error.Message);

        release.SetResult();
        Assert.All(await Task.WhenAll(accepted), a => Assert.Equal("late", a));
        Assert.Equal(1, (await pool.StatsAsync()).Queues.Single(q => q.Queue == "chat").Rejected);
    }
}
