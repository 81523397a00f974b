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
/// Questions that paraphrase their memory instead of repeating its words, through the engine with the
/// offline models: a project's knowledge where every memory names the project, so full text matches
/// every memory on the name alone and cannot tell which one answers.
/// </summary>
public sealed class ParaphraseRetrievalTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Day = new(2024, 2, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly string[] Knowledge =
    [
        "The Aurora release is set for 14 March.",
        "The Aurora budget is 40,000 euros for this year.",
        "Maria leads the Aurora project since January.",
        "Aurora runs on three servers in the Frankfurt data centre.",
        "The Aurora logo was drawn by an agency in Porto.",
        "Customers complained that Aurora is slow on old phones.",
        "The Aurora kickoff meeting took place in the Lisbon office.",
        "Aurora stores its data in PostgreSQL with nightly backups.",
    ];

    // Each question and the memory that answers it, in other words than the memory's.
    private static readonly (string Question, int Answer)[] Questions =
    [
        ("When does Aurora go live?", 0),
        ("How much money can Aurora spend?", 1),
        ("Who is in charge of Aurora?", 2),
        ("What hardware hosts Aurora?", 3),
        ("Who designed the Aurora emblem?", 4),
        ("What do users dislike about Aurora's speed on mobile devices?", 5),
        ("Where did the Aurora team first meet?", 6),
        ("How is Aurora's database protected against loss?", 7),
    ];

    private sealed record Firsts(int Vector, int Text, int Fused);

    /// <summary>How many questions get their memory first from the notes' vectors (the engine's stored
    /// embeddings), from full text alone, and from the fused ranking of <paramref name="profile"/>.</summary>
    private async Task<Firsts> FirstPlacesAsync(IEmbeddingGenerator<string, Embedding<float>> embedder, HybridRetrieverOptions profile)
    {
        using var store = new EmbeddedMemoryStore(new MemoryStoreOptions { Dimension = 384 });
        var retriever = new HybridRetriever(store, embedder, profile);
        await using var engine = new MemoryEngine(store, embedder, MemoryModels.Offline(), new MemoryEngineOptions(), retriever);
        var scope = MemoryScope.ForTeam("acme", "aurora");
        for (var i = 0; i < Knowledge.Length; i++)
            await engine.AddAsync(new AddMemoryRequest(scope, [new ConversationTurn("lead", Knowledge[i])], Day.AddDays(i)));
        await engine.WaitForIdleAsync(scope);
        var notes = new MemoryFilter(scope) { Kinds = [MemoryKind.Note] };
        int vector = 0, text = 0, fused = 0;
        foreach (var (question, answer) in Questions)
        {
            var byVector = await store.SearchByVectorAsync((await embedder.GenerateAsync([question]))[0].Vector.ToArray(), notes, 1);
            var byText = await store.SearchByTextAsync(question, notes, 1);
            var byBoth = await engine.SearchAsync(question, notes, topK: 1);
            vector += byVector.Count > 0 && byVector[0].Record.Content == Knowledge[answer] ? 1 : 0;
            text += byText.Count > 0 && byText[0].Record.Content == Knowledge[answer] ? 1 : 0;
            fused += byBoth.Count > 0 && byBoth[0].Record.Content == Knowledge[answer] ? 1 : 0;
            output.WriteLine($"{embedder.GetType().Name}: {question} -> vector: {(byVector.Count > 0 ? byVector[0].Record.Content : "-")} | text: {(byText.Count > 0 ? byText[0].Record.Content : "-")} | fused: {(byBoth.Count > 0 ? byBoth[0].Record.Content : "-")}");
        }
        var firsts = new Firsts(vector, text, fused);
        output.WriteLine($"{embedder.GetType().Name}: {firsts} of {Questions.Length}");
        return firsts;
    }

    [Fact]
    public async Task The_sentence_models_vectors_find_paraphrased_memories_where_full_text_and_hashing_do_not()
    {
        var sentence = await FirstPlacesAsync(new SentenceEmbedder(), HybridRetrieverOptions.ForSentenceEmbedder());
        var hashing = await FirstPlacesAsync(new HashingEmbedder(), HybridRetrieverOptions.ForOfflineEmbedder());

        // The notes' sentence vectors put (nearly) every answer first; full text, which matches every
        // memory on "Aurora", and the hashing embedder's word-feature vectors mostly do not.
        Assert.True(sentence.Vector >= Questions.Length - 1, $"sentence vectors: {sentence.Vector} of {Questions.Length} first");
        Assert.True(sentence.Text <= Questions.Length / 2, $"full text: {sentence.Text} of {Questions.Length} first");
        Assert.True(hashing.Vector <= Questions.Length / 2, $"hashing vectors: {hashing.Vector} of {Questions.Length} first");
        // The fused ranking of the sentence profile stays with full text alone, within one first place.
        // (Its text-led weights, chosen on LoCoMo, let the vector reorder only records close on text: here
        // the name ties every record, so full text ranks the notes by length and little else, and which of
        // the two gets one more answer first turns on how the pipelines linked the notes; docs/retrieval.md.)
        Assert.True(sentence.Fused >= sentence.Text - 1, $"fused {sentence.Fused}, text alone {sentence.Text}");
    }
}
