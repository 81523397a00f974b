using Agents.Inference.Llm;
using Microsoft.Extensions.AI;

namespace Agents.Tests.Integration.Llm;

/// <summary>The embedding generator over real HTTP: round trip, order, dimension and count checks, batching.</summary>
public sealed class EmbeddingHttpTests : IAsyncLifetime
{
    private ScriptedOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Vectors_come_back_in_input_order_with_the_configured_dimension()
    {
        float[][] vectors = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
        _server.EnqueueEmbeddings(ScriptedResponse.Embeddings(vectors, indexOrder: [2, 0, 1]));
        using var endpoint = TestEndpoint.Create(_server, o => o.EmbeddingDimension = 4);

        var result = await endpoint.EmbeddingGenerator!.GenerateAsync(["alpha", "beta", "gamma"]);

        Assert.Equal(3, result.Count);
        for (var i = 0; i < 3; i++) Assert.Equal(vectors[i], result[i].Vector.ToArray());
        Assert.Equal(5, result.Usage!.InputTokenCount);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Equal("scripted-embed", request.Json.GetProperty("model").GetString());
        Assert.Equal(["alpha", "beta", "gamma"], request.Json.GetProperty("input").EnumerateArray().Select(e => e.GetString()!));
        Assert.False(request.Json.TryGetProperty("dimensions", out _));
    }

    [Fact]
    public async Task A_vector_of_the_wrong_dimension_is_a_clear_error()
    {
        _server.EnqueueEmbeddings(ScriptedResponse.Embeddings([[1, 0, 0]]));
        using var endpoint = TestEndpoint.Create(_server, o => o.EmbeddingDimension = 4);

        var error = await Assert.ThrowsAsync<LlmEmbeddingException>(() => endpoint.EmbeddingGenerator!.GenerateAsync(["alpha"]));

        Assert.Contains("dimension 3", error.Message);
        Assert.Contains("expected 4", error.Message);
    }

    [Fact]
    public async Task Vectors_of_differing_dimensions_are_an_error_even_without_a_configured_dimension()
    {
        _server.EnqueueEmbeddings(ScriptedResponse.Embeddings([[1, 0, 0], [1, 0]]));
        using var endpoint = TestEndpoint.Create(_server);

        await Assert.ThrowsAsync<LlmEmbeddingException>(() => endpoint.EmbeddingGenerator!.GenerateAsync(["alpha", "beta"]));
    }

    [Fact]
    public async Task Fewer_vectors_than_inputs_is_an_error()
    {
        _server.EnqueueEmbeddings(ScriptedResponse.Embeddings([[1, 0]]));
        using var endpoint = TestEndpoint.Create(_server);

        var error = await Assert.ThrowsAsync<LlmEmbeddingException>(() => endpoint.EmbeddingGenerator!.GenerateAsync(["alpha", "beta"]));
        Assert.Contains("1 vectors for 2 inputs", error.Message);
    }

    [Fact]
    public async Task A_repeated_vector_index_is_an_error()
    {
        _server.EnqueueEmbeddings(ScriptedResponse.Embeddings([[1, 0], [0, 1]], indexOrder: [1, 1]));
        using var endpoint = TestEndpoint.Create(_server);

        var error = await Assert.ThrowsAsync<LlmEmbeddingException>(() => endpoint.EmbeddingGenerator!.GenerateAsync(["alpha", "beta"]));
        Assert.Contains("index 1, outside or repeating 0..1", error.Message);
    }

    [Fact]
    public async Task The_dimension_is_requested_when_configured_to_be()
    {
        _server.EnqueueEmbeddings(ScriptedResponse.Embeddings([[1, 0]]));
        using var endpoint = TestEndpoint.Create(_server, o =>
        {
            o.EmbeddingDimension = 2;
            o.RequestEmbeddingDimension = true;
        });

        await endpoint.EmbeddingGenerator!.GenerateAsync(["alpha"]);

        Assert.Equal(2, Assert.Single(_server.Requests).Json.GetProperty("dimensions").GetInt32());
    }

    [Fact]
    public async Task Empty_input_is_refused_before_any_request()
    {
        using var endpoint = TestEndpoint.Create(_server);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => endpoint.EmbeddingGenerator!.GenerateAsync(["alpha", " "]));

        Assert.Contains("Input 1", error.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Many_inputs_are_sent_in_batches_and_reassembled_in_order()
    {
        var count = CheckedEmbeddingGenerator.BatchSize + 6;
        _server.AnswerOtherwiseWith(request =>
        {
            var inputs = request.Json.GetProperty("input").EnumerateArray().Select(e => e.GetString()!).ToList();
            return ScriptedResponse.Embeddings(inputs.Select(text => new[] { float.Parse(text[1..], System.Globalization.CultureInfo.InvariantCulture), 1f }).ToList());
        });
        using var endpoint = TestEndpoint.Create(_server);

        var result = await endpoint.EmbeddingGenerator!.GenerateAsync(Enumerable.Range(0, count).Select(i => $"t{i}"));

        Assert.Equal(Enumerable.Range(0, count).Select(i => (float)i), result.Select(e => e.Vector.Span[0]));
        Assert.Equal(2, _server.RequestCount("/embeddings"));
    }

    [Fact]
    public async Task A_429_on_embeddings_is_retried()
    {
        _server.EnqueueEmbeddings(ScriptedResponse.Error(429, "slow down"), ScriptedResponse.Embeddings([[0.6f, 0.8f]]));
        using var endpoint = TestEndpoint.Create(_server);

        var result = await endpoint.EmbeddingGenerator!.GenerateAsync(["alpha"]);

        Assert.Equal([0.6f, 0.8f], result[0].Vector.ToArray());
        Assert.Equal(2, _server.RequestCount("/embeddings"));
    }
}
