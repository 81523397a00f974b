using Agents.Memory.Engine;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using Agents.Inference.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Agents.Tests.Unit.Memory.Pipelines;

public class MemoryEngineRegistrationTests
{
    private static ServiceCollection Base()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMemoryStore>(new EmbeddedMemoryStore());
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new HashingEmbedder());
        return services;
    }

    [Fact]
    public async Task Without_a_chat_endpoint_the_engine_runs_offline_and_with_one_in_llm_mode()
    {
        await using (var offline = Base().AddMemoryEngine(o => o.MaxAttempts = 7).BuildServiceProvider())
        {
            var engine = offline.GetRequiredService<MemoryEngine>();
            Assert.Equal("offline", engine.Models.Mode);
            Assert.IsType<Agents.Memory.Pipelines.Team.OfflineInsightRefiner>(engine.Models.InsightRefiner);
            Assert.NotNull(offline.GetRequiredService<Agents.Memory.Pipelines.Team.TeamMemory>());
        }

        var withChat = Base();
        withChat.AddSingleton<IStructuredChat>(new ScriptedChat());
        await using var llm = withChat.AddMemoryEngine().BuildServiceProvider();
        Assert.Equal("llm", llm.GetRequiredService<MemoryEngine>().Models.Mode);
        Assert.IsType<Agents.Memory.Pipelines.Llm.LlmInsightRefiner>(llm.GetRequiredService<MemoryEngine>().Models.InsightRefiner);
    }
}
