using Agents.Inference.Llm;
using Microsoft.Extensions.AI;

namespace Agents.Tests.Integration.Llm;

/// <summary>Retries, time-outs and cancellation of the OpenAI-compatible clients, over real HTTP.</summary>
public sealed class ResilienceHttpTests : IAsyncLifetime
{
    private ScriptedOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static readonly ChatMessage[] Hello = [new(ChatRole.User, "hello")];

    [Fact]
    public async Task Too_many_requests_then_success_is_retried_once()
    {
        _server.EnqueueChat(ScriptedResponse.Error(429, "slow down", ("Retry-After", "0")), ScriptedResponse.Chat("hi"));
        using var endpoint = TestEndpoint.Create(_server);

        var response = await endpoint.ChatClient!.GetResponseAsync(Hello);

        Assert.Equal("hi", response.Text);
        Assert.Equal(2, _server.RequestCount("/chat/completions"));
    }

    [Fact]
    public async Task Retry_after_in_milliseconds_is_accepted_and_retried()
    {
        _server.EnqueueChat(ScriptedResponse.Error(429, "slow down", ("retry-after-ms", "20")), ScriptedResponse.Chat("hi"));
        using var endpoint = TestEndpoint.Create(_server);

        Assert.Equal("hi", (await endpoint.ChatClient!.GetResponseAsync(Hello)).Text);
        Assert.Equal(2, _server.RequestCount("/chat/completions"));
    }

    [Fact]
    public async Task Server_errors_are_retried_until_success()
    {
        _server.EnqueueChat(ScriptedResponse.Error(500, "boom"), ScriptedResponse.Error(503, "busy"), ScriptedResponse.Chat("hi"));
        using var endpoint = TestEndpoint.Create(_server, o => o.MaxRetries = 2);

        Assert.Equal("hi", (await endpoint.ChatClient!.GetResponseAsync(Hello)).Text);
        Assert.Equal(3, _server.RequestCount("/chat/completions"));
    }

    [Fact]
    public async Task Server_errors_beyond_the_retry_budget_surface_as_LlmRequestException_with_status()
    {
        _server.EnqueueChat(ScriptedResponse.Error(500, "boom"), ScriptedResponse.Error(500, "boom"), ScriptedResponse.Error(500, "boom"));
        using var endpoint = TestEndpoint.Create(_server, o => o.MaxRetries = 2);

        var error = await Assert.ThrowsAsync<LlmRequestException>(() => endpoint.ChatClient!.GetResponseAsync(Hello));

        Assert.Equal(500, error.Status);
        Assert.Equal(3, error.Attempts);
        Assert.Equal(3, _server.RequestCount("/chat/completions"));
        Assert.Contains("boom", error.Message); // the server's own message
    }

    [Fact]
    public async Task An_unreachable_server_is_LlmRequestException_without_status_after_the_retries()
    {
        var closed = await ScriptedOpenAiServer.StartAsync();
        var url = closed.BaseUrl.ToString();
        await closed.DisposeAsync();
        using var endpoint = LlmEndpoint.Create(TestEndpoint.Options(_server, o => o.BaseUrl = url), gates: new EndpointConcurrencyRegistry())!;

        var error = await Assert.ThrowsAsync<LlmRequestException>(() => endpoint.ChatClient!.GetResponseAsync(Hello));

        Assert.Equal(0, error.Status);
        Assert.Equal(3, error.Attempts);
        Assert.Contains("no HTTP answer", error.Message);
    }

    [Fact]
    public async Task The_longest_time_limits_the_options_accept_make_a_working_pipeline()
    {
        // The resilience handler validates its own options on the first request; ours must refuse first.
        _server.EnqueueChat(ScriptedResponse.Chat("hi"));
        using var endpoint = TestEndpoint.Create(_server, o =>
        {
            o.RequestTimeout = TimeSpan.FromHours(12);
            o.MaxRetries = 0;
            o.RetryBaseDelay = TimeSpan.Zero;
            o.MaxRetryDelay = TimeSpan.FromDays(1);
        });

        Assert.Equal(TimeSpan.FromDays(1), endpoint.Options.EffectiveTotalRequestTimeout);
        Assert.Equal("hi", (await endpoint.ChatClient!.GetResponseAsync(Hello)).Text);
    }

    [Fact]
    public async Task The_total_time_limit_ends_the_retries_and_is_reported_as_LlmTimeoutException()
    {
        using var endpoint = TestEndpoint.Create(_server, o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(1);
            o.MaxRetries = 5;
            o.TotalRequestTimeout = TimeSpan.FromSeconds(1.5);
        });
        await WarmUpAsync();
        _server.AnswerOtherwiseWith(_ => ScriptedResponse.Chat("too late") with { Delay = TimeSpan.FromSeconds(30) });

        var error = await Assert.ThrowsAsync<LlmTimeoutException>(() => endpoint.ChatClient!.GetResponseAsync(Hello));

        Assert.Equal(TimeSpan.FromSeconds(1.5), error.Timeout);
        Assert.Contains("in total", error.Message);
        Assert.InRange(error.Attempts, 1, 2); // never the six the retries alone would allow
    }

    [Fact]
    public async Task A_bad_request_is_not_retried()
    {
        _server.EnqueueChat(ScriptedResponse.Error(400, "unknown field"), ScriptedResponse.Chat("never sent"));
        using var endpoint = TestEndpoint.Create(_server);

        var error = await Assert.ThrowsAsync<LlmRequestException>(() => endpoint.ChatClient!.GetResponseAsync(Hello));

        Assert.Equal(400, error.Status);
        Assert.Equal(1, _server.RequestCount("/chat/completions"));
    }

    [Fact]
    public async Task A_slow_server_is_reported_as_LlmTimeoutException_after_the_retries()
    {
        var slow = ScriptedResponse.Chat("too late") with { Delay = TimeSpan.FromSeconds(30) };
        using var endpoint = TestEndpoint.Create(_server, o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(1);
            o.MaxRetries = 1;
        });
        await WarmUpAsync();
        // Every request is slow (a fallback, not a queue: an attempt abandoned on the client may still
        // reach the server later on a loaded machine and must not take another attempt's answer).
        _server.AnswerOtherwiseWith(_ => slow);

        var error = await Assert.ThrowsAsync<LlmTimeoutException>(() => endpoint.ChatClient!.GetResponseAsync(Hello));

        Assert.Equal(2, error.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(1), error.Timeout);
        Assert.Contains("did not complete within 1 s", error.Message);
    }

    [Fact]
    public async Task A_time_out_is_retried_and_a_later_answer_wins()
    {
        using var endpoint = TestEndpoint.Create(_server, o => o.RequestTimeout = TimeSpan.FromSeconds(1));
        await WarmUpAsync();
        // The first request to arrive is slow, every later one answers at once.
        var arrivals = 0;
        _server.AnswerOtherwiseWith(_ => Interlocked.Increment(ref arrivals) == 1
            ? ScriptedResponse.Chat("too late") with { Delay = TimeSpan.FromSeconds(30) }
            : ScriptedResponse.Chat("on time"));

        Assert.Equal("on time", (await endpoint.ChatClient!.GetResponseAsync(Hello)).Text);
        Assert.True(Volatile.Read(ref arrivals) >= 2, "the answer came without a retry");
    }

    [Fact]
    public async Task The_callers_cancellation_cancels_and_is_not_reported_as_a_time_out()
    {
        _server.EnqueueChat(ScriptedResponse.Chat("too late") with { Delay = TimeSpan.FromSeconds(30) });
        using var endpoint = TestEndpoint.Create(_server, o => o.RequestTimeout = TimeSpan.FromSeconds(60));
        using var cancellation = new CancellationTokenSource();

        var call = endpoint.ChatClient!.GetResponseAsync(Hello, cancellationToken: cancellation.Token);
        await WaitForRequestsAsync(1);
        cancellation.Cancel();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.IsNotType<LlmTimeoutException>(error.InnerException);
        Assert.Equal(1, _server.RequestCount("/chat/completions"));
    }

    [Fact]
    public async Task Structured_chat_survives_a_429_before_its_answer()
    {
        _server.EnqueueChat(ScriptedResponse.Error(429, "slow down"), ScriptedResponse.Chat("""{"facts":["x"]}"""));
        using var endpoint = TestEndpoint.Create(_server);

        var result = await endpoint.StructuredChat!.CompleteJsonAsync("Extract facts as JSON.", "x", TestShapesContext.Default.FactList, CancellationToken.None);

        Assert.Equal(["x"], result.Facts);
        Assert.Equal(2, _server.RequestCount("/chat/completions"));
    }

    [Fact]
    public async Task Structured_chat_reports_a_time_out_as_LlmTimeoutException()
    {
        using var endpoint = TestEndpoint.Create(_server, o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(1);
            o.MaxRetries = 0;
        });
        _server.EnqueueChat(ScriptedResponse.Chat("{}") with { Delay = TimeSpan.FromSeconds(30) });

        await Assert.ThrowsAsync<LlmTimeoutException>(() =>
            endpoint.StructuredChat!.CompleteJsonAsync("Extract facts as JSON.", "x", TestShapesContext.Default.FactList, CancellationToken.None));
    }

    // The first call of a process pays for JIT and a connection, which can exceed a short time
    // limit on a loaded machine; warm up with a generous limit and no retry.
    private async Task WarmUpAsync()
    {
        using var patient = TestEndpoint.Create(_server, o => o.MaxRetries = 0, new EndpointConcurrencyRegistry());
        _server.EnqueueChat(ScriptedResponse.Chat("warm"));
        Assert.Equal("warm", (await patient.ChatClient!.GetResponseAsync(Hello)).Text);
    }

    // Waits for the server to have seen the request (the test's own progress, not a timing assertion).
    private async Task WaitForRequestsAsync(int count)
    {
        for (var i = 0; i < 2000 && _server.Requests.Count < count; i++) await Task.Delay(5);
        Assert.True(_server.Requests.Count >= count, "the request never reached the server");
    }
}
