using Agents.Inference.Llm;

namespace Agents.Tests.Integration.Llm;

/// <summary>StructuredChat against a real HTTP server: what is sent, what is tolerated, what is repaired, what is reported.</summary>
public sealed class StructuredChatHttpTests : IAsyncLifetime
{
    private ScriptedOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task System_and_user_prompts_reach_the_server_with_json_mode_model_and_key()
    {
        _server.EnqueueChat(ScriptedResponse.Chat("""{"facts":["Alice moved to Lyon"]}"""));
        using var endpoint = TestEndpoint.Create(_server);

        var result = await endpoint.StructuredChat!.CompleteJsonAsync(
            "Extract facts as JSON: {\"facts\": [...]}.", "Alice: I moved to Lyon last week.", TestShapesContext.Default.FactList, CancellationToken.None);

        Assert.Equal(["Alice moved to Lyon"], result.Facts);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer test-key", request.Authorization);
        Assert.Equal("scripted-chat", request.Json.GetProperty("model").GetString());
        Assert.Equal("json_object", request.Json.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal(0, request.Json.GetProperty("temperature").GetDouble());
        Assert.Equal(
            [("system", "Extract facts as JSON: {\"facts\": [...]}."), ("user", "Alice: I moved to Lyon last week.")],
            request.Messages);
    }

    [Fact]
    public async Task Json_schema_mode_sends_the_schema_of_the_expected_type()
    {
        _server.EnqueueChat(ScriptedResponse.Chat("""{"keywords":["lyon"],"context":"A move.","tags":["travel"]}"""));
        using var endpoint = TestEndpoint.Create(_server, o => o.JsonMode = JsonOutputMode.JsonSchema);

        await endpoint.StructuredChat!.CompleteJsonAsync("Enrich the note.", "I moved to Lyon.", TestShapesContext.Default.Enrichment, CancellationToken.None);

        var format = Assert.Single(_server.Requests).Json.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal("Enrichment", format.GetProperty("json_schema").GetProperty("name").GetString());
        var properties = format.GetProperty("json_schema").GetProperty("schema").GetProperty("properties");
        Assert.True(properties.TryGetProperty("keywords", out _));
        Assert.True(properties.TryGetProperty("tags", out _));
        // The prompt did not mention JSON, so the instruction was appended for JSON-mode servers.
        Assert.Contains("JSON", Assert.Single(_server.Requests).Messages[0].Content);
    }

    [Fact]
    public async Task No_response_format_when_json_mode_is_off()
    {
        _server.EnqueueChat(ScriptedResponse.Chat("""{"facts":[]}"""));
        using var endpoint = TestEndpoint.Create(_server, o => o.JsonMode = JsonOutputMode.None);

        await endpoint.StructuredChat!.CompleteJsonAsync("Extract facts as JSON.", "nothing here", TestShapesContext.Default.FactList, CancellationToken.None);

        Assert.False(Assert.Single(_server.Requests).Json.TryGetProperty("response_format", out _));
    }

    [Theory]
    [InlineData("```json\n{\"facts\": [\"likes tea\"]}\n```")]
    [InlineData("Sure! Here are the facts:\n{\"facts\": [\"likes tea\"]}\nLet me know if you need more.")]
    [InlineData("<think>The user says they like tea {maybe}.</think>\n```\n{\"facts\": [\"likes tea\",],}\n```")]
    public async Task Malformed_but_recoverable_answers_are_parsed_without_a_repair_call(string answer)
    {
        _server.EnqueueChat(ScriptedResponse.Chat(answer));
        using var endpoint = TestEndpoint.Create(_server);

        var result = await endpoint.StructuredChat!.CompleteJsonAsync("Extract facts as JSON.", "I like tea.", TestShapesContext.Default.FactList, CancellationToken.None);

        Assert.Equal(["likes tea"], result.Facts);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Invalid_json_is_repaired_by_a_second_call_that_shows_the_bad_answer_and_the_error()
    {
        const string bad = "{\"facts\": [\"likes tea\"";
        _server.EnqueueChat(ScriptedResponse.Chat(bad), ScriptedResponse.Chat("""{"facts":["likes tea"]}"""));
        using var endpoint = TestEndpoint.Create(_server);

        var result = await endpoint.StructuredChat!.CompleteJsonAsync("Extract facts as JSON.", "I like tea.", TestShapesContext.Default.FactList, CancellationToken.None);

        Assert.Equal(["likes tea"], result.Facts);
        Assert.Equal(2, _server.Requests.Count);
        var repair = _server.Requests[1].Messages;
        Assert.Equal(4, repair.Count);
        Assert.Equal(("system", "Extract facts as JSON."), repair[0]);
        Assert.Equal(("user", "I like tea."), repair[1]);
        Assert.Equal(("assistant", bad), repair[2]);
        Assert.Equal("user", repair[3].Role);
        Assert.Contains("no complete JSON value", repair[3].Content);
        Assert.Contains("\"facts\"", repair[3].Content); // the schema
    }

    [Fact]
    public async Task Json_of_the_wrong_shape_is_repaired_with_the_deserialisation_error()
    {
        _server.EnqueueChat(
            ScriptedResponse.Chat("""{"keywords":["tea"],"tags":["food"]}"""),
            ScriptedResponse.Chat("""{"keywords":["tea"],"context":"Likes tea.","tags":["food"]}"""));
        using var endpoint = TestEndpoint.Create(_server);

        var result = await endpoint.StructuredChat!.CompleteJsonAsync("Enrich as JSON.", "I like tea.", TestShapesContext.Default.Enrichment, CancellationToken.None);

        Assert.Equal("Likes tea.", result.Context);
        Assert.Contains("context", _server.Requests[1].Messages[3].Content);
    }

    [Fact]
    public async Task Still_invalid_after_repair_throws_LlmOutputException_with_the_raw_output()
    {
        _server.EnqueueChat(ScriptedResponse.Chat("I cannot help with that."), ScriptedResponse.Chat("Still no JSON, sorry."));
        using var endpoint = TestEndpoint.Create(_server);

        var error = await Assert.ThrowsAsync<LlmOutputException>(() =>
            endpoint.StructuredChat!.CompleteJsonAsync("Extract facts as JSON.", "I like tea.", TestShapesContext.Default.FactList, CancellationToken.None));

        Assert.Equal("Still no JSON, sorry.", error.RawOutput);
        Assert.Contains("FactList", error.Message);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task An_answer_cut_off_at_the_token_limit_says_so()
    {
        _server.EnqueueChat(ScriptedResponse.Chat("{\"facts\": [\"a", "length"), ScriptedResponse.Chat("{\"facts\": [\"a", "length"));
        using var endpoint = TestEndpoint.Create(_server);

        var error = await Assert.ThrowsAsync<LlmOutputException>(() =>
            endpoint.StructuredChat!.CompleteJsonAsync("Extract facts as JSON.", "I like tea.", TestShapesContext.Default.FactList, CancellationToken.None));

        Assert.Contains("cut off", error.Message);
    }
}
