using Agents.Inference.Offline;
using Agents.Memory.Engine;
using Agents.Memory.Model;
using Agents.Memory.Pipelines;
using Agents.Memory.Retrieval;
using Agents.Memory.Stores;
using Agents.Memory.Stores.Embedded;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace Agents.Tests.Unit.Retrieval;

/// <summary>
/// A question that paraphrases its memory instead of repeating its words, through the engine with the
/// offline models: the sentence embedder's profile (vector fused with the lexical signals) finds it
/// where full text alone ranks memories that merely share the question's words first.
/// </summary>
public sealed class ParaphraseRetrievalTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Day = new(2024, 2, 1, 9, 0, 0, TimeSpan.Zero);

    // A team's chat: one message answers the question in other words; others share its words only.
    private static readonly string[] Messages =
    [
        "The Aurora release is set for 14 March.",
        "Did you see the aurora last night? It was green over the hills.",
        "The rocket launch on TV was delayed again because of the wind.",
        "Whatever happens, the printer on the second floor needs a new cartridge.",
        "Lunch with the design team is moved to Friday.",
        "Marketing wants the brochure in blue and white.",
        "The launch party needs a bigger room than last year.",
        "I think we should happen to meet the client before the review.",
    ];

    private async Task<List<string>> RankAsync(IEmbeddingGenerator<string, Embedding<float>> embedder, HybridRetrieverOptions options, string question)
    {
        using var store = new EmbeddedMemoryStore(new MemoryStoreOptions { Dimension = 384 });
        var retriever = new HybridRetriever(store, embedder, options);
        await using var engine = new MemoryEngine(store, embedder, MemoryModels.Offline(), new MemoryEngineOptions(), retriever);
        var scope = MemoryScope.ForTeam("acme", "launch");
        for (var i = 0; i < Messages.Length; i++)
            await engine.AddAsync(new AddMemoryRequest(scope, [new ConversationTurn($"member{i % 3}", Messages[i])], Day.AddMinutes(i)));
        await engine.WaitForIdleAsync(scope);
        var hits = await engine.SearchAsync(question, new MemoryFilter(scope) { Kinds = [MemoryKind.Note] }, topK: Messages.Length);
        var ranked = hits.Select(h => h.Record.Content).ToList();
        output.WriteLine($"{question} [{embedder.GetType().Name}, vector {options.VectorWeight}, text {options.TextWeight}]:");
        foreach (var r in ranked) output.WriteLine("  " + r);
        return ranked;
    }

    [Theory]
    [InlineData("When does the Aurora launch happen?")]
    [InlineData("What date is Aurora coming out?")]
    public async Task A_paraphrased_question_finds_its_memory_where_full_text_alone_does_not(string question)
    {
        var answer = Messages[0];
        var sentence = await RankAsync(new SentenceEmbedder(), HybridRetrieverOptions.ForSentenceEmbedder(), question);
        Assert.Equal(answer, sentence[0]);

        var textOnly = HybridRetrieverOptions.ForSentenceEmbedder();
        textOnly.VectorWeight = 0;
        var lexical = await RankAsync(new SentenceEmbedder(), textOnly, question);
        Assert.NotEqual(answer, lexical.FirstOrDefault());
    }
}
