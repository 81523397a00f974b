using Agents.Inference.Llm;
using Microsoft.Extensions.AI;

namespace Agents.Tests.Integration.Llm;

/// <summary>
/// Which wait the retry policy chose, read from a time provider that records the short delays it is
/// asked for and fires them at once (the time limits, an hour and more here, run on the real clock):
/// Retry-After is honoured (and capped) without any test waiting for it.
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
        using var endpoint = Endpoint(time, o => o.MaxRetryDelay = TimeSpan.FromMinutes(1));

        Assert.Equal("hi", (await endpoint.ChatClient!.GetResponseAsync([new ChatMessage(ChatRole.User, "x")])).Text);

        Assert.Contains(TimeSpan.FromSeconds(7), time.Delays);
    }

    [Fact]
    public async Task A_retry_after_beyond_the_maximum_is_capped()
    {
        _server.EnqueueChat(ScriptedResponse.Error(429, "slow down", ("Retry-After", "3600")), ScriptedResponse.Chat("hi"));
        var time = new RecordingTimeProvider();
        using var endpoint = Endpoint(time, o => o.MaxRetryDelay = TimeSpan.FromSeconds(30));

        await endpoint.ChatClient!.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        Assert.Contains(TimeSpan.FromSeconds(30), time.Delays);
        Assert.DoesNotContain(TimeSpan.FromSeconds(3600), time.Delays);
    }

    [Fact]
    public async Task Without_retry_after_the_back_off_grows_within_the_cap()
    {
        _server.EnqueueChat(ScriptedResponse.Error(500, "a"), ScriptedResponse.Error(500, "b"), ScriptedResponse.Error(500, "c"), ScriptedResponse.Chat("hi"));
        var time = new RecordingTimeProvider();
        using var endpoint = Endpoint(time, o =>
        {
            o.MaxRetries = 3;
            o.RetryBaseDelay = TimeSpan.FromSeconds(1);
            o.MaxRetryDelay = TimeSpan.FromSeconds(3);
        });

        await endpoint.ChatClient!.GetResponseAsync([new ChatMessage(ChatRole.User, "x")]);

        var waits = time.Delays.Where(d => d > TimeSpan.Zero).ToList();
        Assert.Equal(3, waits.Count);
        Assert.All(waits, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(3)));
    }

    // Time limits of an hour and more, so only the back-off waits are shorter than RecordingTimeProvider.Instant.
    private LlmEndpoint Endpoint(TimeProvider time, Action<LlmEndpointOptions> configure) =>
        LlmEndpoint.Create(TestEndpoint.Options(_server, o =>
        {
            o.RequestTimeout = TimeSpan.FromHours(1);
            configure(o);
        }), gates: new EndpointConcurrencyRegistry(), timeProvider: time)!;

    /// <summary>Records each timer due within <see cref="Instant"/> and fires it immediately; longer ones run on the system clock.</summary>
    private sealed class RecordingTimeProvider : TimeProvider
    {
        public static readonly TimeSpan Instant = TimeSpan.FromMinutes(10);
        private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _delays = new();
        public IReadOnlyList<TimeSpan> Delays => _delays.ToArray();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == Timeout.InfiniteTimeSpan || dueTime >= Instant) return System.CreateTimer(callback, state, dueTime, period);
            _delays.Enqueue(dueTime);
            return System.CreateTimer(callback, state, TimeSpan.Zero, period);
        }
    }
}
