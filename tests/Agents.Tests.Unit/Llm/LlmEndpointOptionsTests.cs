using Agents.Inference.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;

namespace Agents.Tests.Unit.Llm;

public sealed class LlmEndpointOptionsTests
{
    private static IConfigurationSection Section(params (string Key, string Value)[] values)
    {
        var root = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("Agents:Llm:" + v.Key, v.Value)))
            .Build();
        return root.GetSection("Agents:Llm");
    }

    [Fact]
    public void No_base_url_means_no_endpoint_and_nothing_registered()
    {
        var services = new ServiceCollection();
        Assert.False(services.AddAgentsLlm(Section(("ChatModel", "qwen"))));
        Assert.Empty(services);
        Assert.Null(LlmEndpoint.Create(new LlmEndpointOptions { ChatModel = "qwen" }));
    }

    [Fact]
    public void Every_setting_is_read()
    {
        var options = LlmEndpointOptionsReader.Read(Section(
            ("BaseUrl", "http://gpu:8000/v1"), ("ApiKey", "k"), ("ChatModel", "qwen"), ("EmbeddingModel", "bge"),
            ("EmbeddingDimension", "1024"), ("RequestEmbeddingDimension", "true"), ("RequestTimeout", "45"), ("TotalRequestTimeout", "00:05:00"),
            ("MaxRetries", "5"), ("RetryBaseDelay", "00:00:02"), ("MaxRetryDelay", "30"), ("MaxConcurrentRequests", "8"),
            ("JsonMode", "jsonschema"), ("StructuredTemperature", "0.2"), ("StructuredMaxOutputTokens", "512")));

        Assert.Equal("http://gpu:8000/v1", options.BaseUrl);
        Assert.Equal("k", options.ApiKey);
        Assert.Equal("qwen", options.ChatModel);
        Assert.Equal("bge", options.EmbeddingModel);
        Assert.Equal(1024, options.EmbeddingDimension);
        Assert.True(options.RequestEmbeddingDimension);
        Assert.Equal(TimeSpan.FromSeconds(45), options.RequestTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), options.TotalRequestTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), options.EffectiveTotalRequestTimeout);
        Assert.Equal(5, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RetryBaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxRetryDelay);
        Assert.Equal(8, options.MaxConcurrentRequests);
        Assert.Equal(JsonOutputMode.JsonSchema, options.JsonMode);
        Assert.Equal(0.2f, options.StructuredTemperature);
        Assert.Equal(512, options.StructuredMaxOutputTokens);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void A_value_that_does_not_parse_names_its_key()
    {
        var error = Assert.Throws<LlmConfigurationException>(() => LlmEndpointOptionsReader.Read(Section(("BaseUrl", "http://x"), ("MaxRetries", "many"))));
        Assert.Contains("Agents:Llm:MaxRetries", error.Message);
        Assert.Contains("many", error.Message);
    }

    [Fact]
    public void The_default_total_time_limit_covers_every_attempt_and_back_off_with_one_attempt_to_spare()
    {
        var options = new LlmEndpointOptions { RequestTimeout = TimeSpan.FromSeconds(10), MaxRetries = 2, MaxRetryDelay = TimeSpan.FromSeconds(5) };
        Assert.Null(options.TotalRequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(55), options.EffectiveTotalRequestTimeout);
        Assert.Equal(TimeSpan.FromDays(1), new LlmEndpointOptions { RequestTimeout = TimeSpan.FromHours(12), MaxRetries = 5 }.EffectiveTotalRequestTimeout);
    }

    [Fact]
    public void Time_limits_the_resilience_pipeline_cannot_take_are_refused()
    {
        var options = new LlmEndpointOptions
        {
            BaseUrl = "http://x", ChatModel = "m",
            RequestTimeout = TimeSpan.FromHours(13), TotalRequestTimeout = TimeSpan.FromHours(1),
        };
        var errors = options.Validate();
        Assert.Contains(errors, e => e.StartsWith("RequestTimeout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TotalRequestTimeout", StringComparison.Ordinal));
        Assert.Contains(new LlmEndpointOptions { BaseUrl = "http://x", ChatModel = "m", RequestTimeout = TimeSpan.FromMilliseconds(1) }.Validate(),
            e => e.StartsWith("RequestTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Unusable_options_list_every_problem()
    {
        var options = new LlmEndpointOptions { BaseUrl = "ftp://x", MaxConcurrentRequests = 0, MaxRetries = -1, EmbeddingDimension = 0 };
        var error = Assert.Throws<LlmConfigurationException>(() => LlmEndpoint.Create(options));
        Assert.Contains("BaseUrl", error.Message);
        Assert.Contains("MaxConcurrentRequests", error.Message);
        Assert.Contains("MaxRetries", error.Message);
        Assert.Contains("EmbeddingDimension", error.Message);
        Assert.Contains("neither ChatModel nor EmbeddingModel", error.Message);
    }

    [Theory]
    [InlineData("http://localhost:11434", "http://localhost:11434/v1")]
    [InlineData("http://localhost:8000/v1/", "http://localhost:8000/v1")]
    [InlineData("https://api.openai.com/v1", "https://api.openai.com/v1")]
    [InlineData("http://proxy/llm/openai", "http://proxy/llm/openai")]
    public void The_base_url_gets_an_api_path_only_when_it_has_none(string baseUrl, string expected) =>
        Assert.Equal(new Uri(expected), new LlmEndpointOptions { BaseUrl = baseUrl }.GetEndpointUri());

    [Fact]
    public void A_configured_endpoint_replaces_earlier_registrations_and_resolves()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IStructuredChat>(new NeverChat());
        Assert.True(services.AddAgentsLlm(Section(("BaseUrl", "http://127.0.0.1:9/v1"), ("ChatModel", "qwen"), ("EmbeddingModel", "bge"))));

        using var provider = services.BuildServiceProvider();
        Assert.IsType<StructuredChat>(provider.GetRequiredService<IStructuredChat>());
        var metadata = provider.GetRequiredService<IChatClient>().GetService<ChatClientMetadata>()!;
        Assert.Equal("qwen", metadata.DefaultModelId);
        Assert.Equal(new Uri("http://127.0.0.1:9/v1"), metadata.ProviderUri);
        Assert.IsType<CheckedEmbeddingGenerator>(provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Single(services, d => d.ServiceType == typeof(IStructuredChat));
    }

    [Fact]
    public void A_configured_chat_model_gives_kernels_with_its_chat_service_and_plugins_of_their_own()
    {
        var services = new ServiceCollection();
        Assert.True(services.AddAgentsLlm(Section(("BaseUrl", "http://127.0.0.1:9/v1"), ("ChatModel", "qwen"))));

        using var provider = services.BuildServiceProvider();
        var first = provider.GetRequiredService<Kernel>();
        var second = provider.GetRequiredService<Kernel>();
        Assert.Same(provider.GetRequiredService<IChatCompletionService>(), first.GetRequiredService<IChatCompletionService>());
        Assert.Equal("qwen", first.GetRequiredService<IChatCompletionService>().GetModelId());
        first.Plugins.AddFromFunctions("memory", [KernelFunctionFactory.CreateFromMethod(() => "x", "recall")]);
        Assert.Empty(second.Plugins);
    }

    [Fact]
    public void Only_the_configured_models_are_built()
    {
        using var endpoint = LlmEndpoint.Create(new LlmEndpointOptions { BaseUrl = "http://127.0.0.1:9", EmbeddingModel = "bge" }, gates: new EndpointConcurrencyRegistry())!;
        Assert.Null(endpoint.ChatClient);
        Assert.Null(endpoint.StructuredChat);
        Assert.NotNull(endpoint.EmbeddingGenerator);
    }

    [Fact]
    public void Endpoints_with_the_same_base_url_share_one_gate()
    {
        var gates = new EndpointConcurrencyRegistry();
        var a = gates.GetGate(new Uri("http://HOST:8000/v1/"), 2);
        var b = gates.GetGate(new Uri("http://host:8000/v1"), 5);
        var c = gates.GetGate(new Uri("http://host:8001/v1"), 2);
        Assert.Same(a, b);
        Assert.Equal(2, b.Limit);
        Assert.NotSame(a, c);
    }

    private sealed class NeverChat : IStructuredChat
    {
        public Task<T> CompleteJsonAsync<T>(string systemPrompt, string userPrompt, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("offline");
    }
}
