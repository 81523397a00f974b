using Agents.Inference.Llm;
using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Agents.Tests.Integration.Llm;

/// <summary>
/// Configuration alone chooses the mode: with <c>Agents:Llm:BaseUrl</c> set, the memory engine built by
/// DI runs in LLM mode and both its structured calls and its embeddings go over HTTP to the endpoint.
/// </summary>
public sealed class ConfiguredMemoryEngineOverHttpTests : IAsyncLifetime
{
    private ScriptedOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_configured_endpoint_puts_the_engine_in_llm_mode_with_chat_and_embeddings_over_http()
    {
        var router = new PipelineRouter(_server);
        router.Then(PipelineRouter.Extraction, """{"facts": ["Ann keeps bees"]}""");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agents:Llm:BaseUrl"] = _server.BaseUrl.ToString(),
            ["Agents:Llm:ChatModel"] = "scripted-chat",
            ["Agents:Llm:EmbeddingModel"] = "scripted-embed",
            ["Agents:Llm:EmbeddingDimension"] = PipelineRouter.EmbeddingDimension.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Agents:Llm:RetryBaseDelay"] = "0.01",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IMemoryStore>(new EmbeddedMemoryStore());
        Assert.True(services.AddAgentsLlm(configuration.GetSection("Agents:Llm")));
        services.AddMemoryEngine(o => { o.PollInterval = TimeSpan.FromMilliseconds(20); o.RetryDelay = TimeSpan.Zero; });
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<MemoryEngine>();
        Assert.Equal("llm", engine.Models.Mode);
        Assert.IsType<CheckedEmbeddingGenerator>(provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());

        var scope = MemoryScope.ForUser("ann");
        await engine.WaitForAsync((await engine.AddAsync(scope, "I keep bees in my garden.", DateTimeOffset.UtcNow, "Ann")).EpisodeId);

        var fact = Assert.Single(await engine.GetAllAsync(scope, [MemoryKind.Fact]));
        Assert.Equal("Ann keeps bees", fact.Content);
        Assert.Equal(PipelineRouter.EmbeddingDimension, fact.Embedding!.Length);
        Assert.NotEmpty(router.RequestsFor(PipelineRouter.Enrichment));
        Assert.NotEmpty(router.RequestsFor(PipelineRouter.Extraction));
        Assert.True(_server.RequestCount("/embeddings") > 0);
    }
}
