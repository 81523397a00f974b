using Agents.Inference.Llm;
using Microsoft.Extensions.AI;

namespace Agents.Tests.Integration.Llm;

/// <summary>
/// Which wait the retry policy chose, read from a time provider that records the delays it is asked
/// for and then fires at once: Retry-After is honoured (and capped) without any test waiting for it.
/// </summary>
public sealed class RetryDelayHttpTests : IAsyncLifetime
{
    private ScriptedOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Retry_after_seconds_is_the_wait_before_the_retry()
    {
        _server.EnqueueChat(ScriptedResponse.Error(429, "slow down", ("Retry-After", "7")), ScriptedResponse.Chat("hi"));
        var time = new RecordingTimeProvider();
        using var client = Client(time, o => o.MaxRetryDelay = TimeSpan.FromMinutes(1));

        Assert.Equal("hi", (await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")])).Text);

        Assert.Contains(TimeSpan.FromSeconds(7), time.Delays);
    }

    [Fact]
    public async Task A_retry_after_beyond_the_maximum_is_capped()
    {
        _server.EnqueueChat(ScriptedResponse.Error(429, "slow down", ("Retry-After", "3600")), ScriptedResponse.Chat("hi"));
        var time = new RecordingTimeProvider();
        using var client = Client(time, o => o.MaxRetryDelay = TimeSpan.FromSeconds(30));

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        Assert.Contains(TimeSpan.FromSeconds(30), time.Delays);
        Assert.DoesNotContain(TimeSpan.FromSeconds(3600), time.Delays);
    }

    [Fact]
    public async Task Without_retry_after_the_back_off_grows_within_the_cap()
    {
        _server.EnqueueChat(ScriptedResponse.Error(500, "a"), ScriptedResponse.Error(500, "b"), ScriptedResponse.Error(500, "c"), ScriptedResponse.Chat("hi"));
        var time = new RecordingTimeProvider();
        using var client = Client(time, o =>
        {
            o.MaxRetries = 3;
            o.RetryBaseDelay = TimeSpan.FromSeconds(1);
            o.MaxRetryDelay = TimeSpan.FromSeconds(3);
        });

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        var waits = time.Delays.Where(d => d > TimeSpan.Zero).ToList();
        Assert.Equal(3, waits.Count);
        Assert.All(waits, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(3)));
    }

    private OpenAiChatClient Client(TimeProvider time, Action<LlmEndpointOptions> configure)
    {
        var options = TestEndpoint.Options(_server, configure);
        var gate = new EndpointConcurrencyRegistry().GetGate(options.GetEndpointUri(), options.MaxConcurrentRequests);
        return new OpenAiChatClient(options, new LlmRequestExecutor(options, gate, time: time));
    }

    /// <summary>Records each timer's due time and fires it immediately.</summary>
    private sealed class RecordingTimeProvider : TimeProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _delays = new();
        public IReadOnlyList<TimeSpan> Delays => _delays.ToArray();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan) _delays.Enqueue(dueTime);
            return System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
        }
    }
}
