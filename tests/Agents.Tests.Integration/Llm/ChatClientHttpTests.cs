using Agents.Inference.Llm;
using Microsoft.Extensions.AI;

namespace Agents.Tests.Integration.Llm;

/// <summary>The IChatClient adapter's mapping of options, usage and streams, over real HTTP.</summary>
public sealed class ChatClientHttpTests : IAsyncLifetime
{
    private ScriptedOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Options_are_sent_and_usage_and_finish_reason_come_back()
    {
        _server.EnqueueChat(ScriptedResponse.Chat("done", finishReason: "length"));
        using var endpoint = TestEndpoint.Create(_server);

        var response = await endpoint.ChatClient!.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "be brief"), new ChatMessage(ChatRole.User, "hi"), new ChatMessage(ChatRole.Assistant, "hello"), new ChatMessage(ChatRole.User, "again")],
            new ChatOptions { Temperature = 0.5f, MaxOutputTokens = 42, StopSequences = ["END"], ModelId = "other-model", Instructions = "You are a test." });

        Assert.Equal("done", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(11, response.Usage!.InputTokenCount);
        Assert.Equal(7, response.Usage.OutputTokenCount);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("other-model", request.Json.GetProperty("model").GetString());
        Assert.Equal(0.5, request.Json.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(42, request.Json.TryGetProperty("max_completion_tokens", out var max) ? max.GetInt32() : request.Json.GetProperty("max_tokens").GetInt32());
        Assert.Equal("END", request.Json.GetProperty("stop")[0].GetString());
        Assert.Equal(
            [("system", "You are a test."), ("system", "be brief"), ("user", "hi"), ("assistant", "hello"), ("user", "again")],
            request.Messages);
    }

    [Fact]
    public async Task A_stream_yields_the_server_sent_pieces_in_order()
    {
        _server.EnqueueChat(ScriptedResponse.ChatStream("Hel", "lo ", "world"));
        using var endpoint = TestEndpoint.Create(_server);

        var text = "";
        await foreach (var update in endpoint.ChatClient!.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
            text += update.Text;

        Assert.Equal("Hello world", text);
        Assert.True(Assert.Single(_server.Requests).Json.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task A_stream_is_retried_when_it_fails_before_its_first_piece()
    {
        _server.EnqueueChat(ScriptedResponse.Error(503, "warming up"), ScriptedResponse.ChatStream("ok"));
        using var endpoint = TestEndpoint.Create(_server);

        var text = "";
        await foreach (var update in endpoint.ChatClient!.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
            text += update.Text;

        Assert.Equal("ok", text);
        Assert.Equal(2, _server.RequestCount("/chat/completions"));
    }

    [Fact]
    public async Task A_tool_offered_to_the_chat_client_is_sent_called_and_its_result_sent_back()
    {
        _server.EnqueueChat(ScriptedResponse.ChatToolCall("call_7", "add", """{"a":2,"b":3}"""), ScriptedResponse.Chat("five"));
        using var endpoint = TestEndpoint.Create(_server);
        var tool = AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two numbers.");

        var response = await endpoint.ChatClient!.GetResponseAsync([new ChatMessage(ChatRole.User, "2+3?")], new ChatOptions { Tools = [tool] });

        Assert.Equal("five", response.Text);
        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal("add", _server.Requests[0].Json.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        var result = _server.Requests[1].Json.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("role").GetString() == "tool");
        Assert.Equal("call_7", result.GetProperty("tool_call_id").GetString());
        Assert.Equal("5", result.GetProperty("content").ValueKind == System.Text.Json.JsonValueKind.String
            ? result.GetProperty("content").GetString()
            : string.Concat(result.GetProperty("content").EnumerateArray().Select(p => p.GetProperty("text").GetString())));
    }

    [Fact]
    public async Task A_stream_that_stops_in_the_middle_is_reported_as_LlmTimeoutException()
    {
        var stream = ScriptedResponse.ChatStream("Hel", "lo ", "world");
        _server.EnqueueChat(stream with { StallAfter = stream.Body.IndexOf("\n\n", StringComparison.Ordinal) + 2, Stall = TimeSpan.FromSeconds(30) });
        using var endpoint = TestEndpoint.Create(_server, o => o.RequestTimeout = TimeSpan.FromSeconds(1));

        var text = "";
        var error = await Assert.ThrowsAsync<LlmTimeoutException>(async () =>
        {
            await foreach (var update in endpoint.ChatClient!.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
                text += update.Text;
        });

        Assert.Equal("Hel", text);
        Assert.Contains("stopped arriving", error.Message);
    }

    [Fact]
    public async Task A_local_server_without_key_gets_a_placeholder_and_a_bare_host_gets_v1()
    {
        _server.EnqueueChat(ScriptedResponse.Chat("hi"));
        var root = _server.BaseUrl.GetLeftPart(UriPartial.Authority);
        using var endpoint = LlmEndpoint.Create(new LlmEndpointOptions { BaseUrl = root, ChatModel = "m" }, gates: new EndpointConcurrencyRegistry())!;

        Assert.Equal("hi", (await endpoint.ChatClient!.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")])).Text);
        Assert.Equal("/v1/chat/completions", Assert.Single(_server.Requests).Path);
    }
}
