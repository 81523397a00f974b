using Agents.Inference.Llm;
using Microsoft.Extensions.AI;

namespace Agents.Tests.Integration.Llm;

/// <summary>
/// The per-endpoint concurrency limit, counted at the server. Each scripted answer waits until as many
/// requests as the limit are in flight (a rendezvous, bounded at 10 s), so a working limit shows
/// exactly its value and a broken one shows more: no timing is asserted.
/// </summary>
public sealed class ConcurrencyHttpTests : IAsyncLifetime
{
    private ScriptedOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task No_more_than_the_limit_is_in_flight()
    {
        _server.AnswerOtherwiseWith(_ => ScriptedResponse.Chat("ok") with { HoldUntilInFlight = 2, Delay = TimeSpan.FromMilliseconds(50) });
        using var endpoint = TestEndpoint.Create(_server, o => o.MaxConcurrentRequests = 2);

        var calls = Enumerable.Range(0, 8).Select(i => endpoint.ChatClient!.GetResponseAsync([new ChatMessage(ChatRole.User, $"q{i}")]));
        var answers = await Task.WhenAll(calls);

        Assert.All(answers, a => Assert.Equal("ok", a.Text));
        Assert.Equal(8, _server.Requests.Count);
        Assert.Equal(2, _server.MaxInFlight);
    }

    [Fact]
    public async Task The_limit_is_shared_by_every_client_of_the_same_base_url()
    {
        _server.AnswerOtherwiseWith(request => request.Path.EndsWith("/embeddings", StringComparison.Ordinal)
            ? ScriptedResponse.Embeddings([[1f, 0f]]) with { HoldUntilInFlight = 3, Delay = TimeSpan.FromMilliseconds(50) }
            : ScriptedResponse.Chat("ok") with { HoldUntilInFlight = 3, Delay = TimeSpan.FromMilliseconds(50) });
        var gates = new EndpointConcurrencyRegistry();
        using var first = TestEndpoint.Create(_server, o => o.MaxConcurrentRequests = 3, gates);
        using var second = TestEndpoint.Create(_server, o => o.MaxConcurrentRequests = 3, gates);

        var calls = new List<Task>();
        for (var i = 0; i < 4; i++)
        {
            calls.Add(first.ChatClient!.GetResponseAsync([new ChatMessage(ChatRole.User, $"a{i}")]));
            calls.Add(second.ChatClient!.GetResponseAsync([new ChatMessage(ChatRole.User, $"b{i}")]));
            calls.Add(second.EmbeddingGenerator!.GenerateAsync([$"c{i}"]));
        }
        await Task.WhenAll(calls);

        Assert.Same(first.Gate, second.Gate);
        Assert.Equal(12, _server.Requests.Count);
        Assert.Equal(3, _server.MaxInFlight);
    }

    [Fact]
    public async Task Without_a_tight_limit_the_server_sees_more_at_once()
    {
        // The control for the tests above: the rendezvous does let more than two through when allowed.
        _server.AnswerOtherwiseWith(_ => ScriptedResponse.Chat("ok") with { HoldUntilInFlight = 4, Delay = TimeSpan.FromMilliseconds(50) });
        using var endpoint = TestEndpoint.Create(_server, o => o.MaxConcurrentRequests = 4);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => endpoint.ChatClient!.GetResponseAsync([new ChatMessage(ChatRole.User, $"q{i}")])));

        Assert.Equal(4, _server.MaxInFlight);
    }
}
