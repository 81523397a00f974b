using System.Numerics.Tensors;
using Agents.Inference.Attention.Cuda;
using Agents.Inference.Offline;
using Microsoft.Extensions.AI;

namespace Agents.Tests.Unit.Offline;

/// <summary>all-MiniLM-L6-v2 on ONNX Runtime: published reference similarities, invariants, bad input.</summary>
public sealed class SentenceEmbedderTests
{
    private static readonly SentenceEmbedder Embedder = new();

    private static async Task<float[][]> EmbedAsync(IEmbeddingGenerator<string, Embedding<float>> embedder, params string[] texts) =>
        (await embedder.GenerateAsync(texts)).Select(e => e.Vector.ToArray()).ToArray();

    private static float Cosine(float[] a, float[] b) => TensorPrimitives.CosineSimilarity(a, b);

    [Fact]
    public async Task Reproduces_the_similarities_sentence_transformers_publishes_for_this_model()
    {
        // sentence-transformers' quick start with all-MiniLM-L6-v2 prints 0.6660, 0.1046 and 0.1411 for these.
        var v = await EmbedAsync(Embedder, "The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium.");
        Assert.Equal(0.6660, Cosine(v[0], v[1]), 0.002);
        Assert.Equal(0.1046, Cosine(v[0], v[2]), 0.002);
        Assert.Equal(0.1411, Cosine(v[1], v[2]), 0.002);
        Assert.Equal(384, v[0].Length);
    }

    [Fact]
    public async Task Vectors_are_unit_length_and_deterministic()
    {
        string[] texts = ["The Aurora release is set for 14 March.", "Caroline went to the LGBTQ support group yesterday.", "ok"];
        var first = await EmbedAsync(Embedder, texts);
        var uncached = await EmbedAsync(new SentenceEmbedder(new SentenceEmbedderOptions { CacheEntries = 0 }), texts);
        foreach (var (a, b) in first.Zip(uncached))
        {
            Assert.Equal(1.0, TensorPrimitives.Norm(a), 4);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public async Task A_batch_gives_what_each_text_gives_alone()
    {
        var embedder = new SentenceEmbedder(new SentenceEmbedderOptions { CacheEntries = 0, BatchSize = 8 });
        string[] texts = ["short", "A much longer sentence about painting sunsets by the lake with my two kids last summer.", "", "Where does Melanie live?", "short"];
        var batch = await EmbedAsync(embedder, texts);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = (await EmbedAsync(embedder, texts[i]))[0];
            for (var d = 0; d < alone.Length; d++) Assert.Equal(alone[d], batch[i][d], 1e-5);
        }
    }

    [Fact]
    public async Task Texts_of_very_different_lengths_batched_together_embed_as_they_do_alone()
    {
        // Pipelines embed a note's long text (content, context, keywords, tags) with short entity names and
        // facts: padding the short ones to the longest must not move them (the attention mask hides it).
        var embedder = new SentenceEmbedder(new SentenceEmbedderOptions { CacheEntries = 0 });
        var sentences = new[]
        {
            "The Aurora launch is set for 14 March in Lisbon.", "Aurora's launch budget is 40,000 euros, approved by finance in January.",
            "Press kits for Aurora go to twelve technology journalists one week before the launch.", "The Nimbus beta closes at the end of April.",
        };
        var texts = new List<string> { "Aurora", "Lisbon", "Porto", "ok" };
        texts.AddRange(sentences);
        for (var n = 1; n <= sentences.Length; n++)
            texts.Add($"{sentences[n - 1]}\nSomeone, 6 December 2026. {string.Join(' ', sentences.Take(n))}\nkeywords: aurora, launch, budget\ntags: finance, aurora");
        var batch = await EmbedAsync(embedder, [.. texts]);
        for (var i = 0; i < texts.Count; i++)
        {
            var alone = (await EmbedAsync(embedder, texts[i]))[0];
            Assert.True(Cosine(alone, batch[i]) > 0.9999, $"text {i}: cosine {Cosine(alone, batch[i]):F6}");
            Assert.True(MathF.Abs(TensorPrimitives.MaxMagnitude(Diff(alone, batch[i]))) < 1e-5f, $"text {i}: a component differs by more than 1e-5");
        }
    }

    private static float[] Diff(float[] a, float[] b)
    {
        var d = new float[a.Length];
        TensorPrimitives.Subtract(a, b, d);
        return d;
    }

    [Theory]
    [InlineData("When does the Aurora launch happen?", "The Aurora release is set for 14 March.", "I adopted a puppy last week.")]
    [InlineData("Where does she live now?", "She moved to Lisbon in May and rents a flat there.", "The quarterly budget was approved by finance.")]
    [InlineData("What instrument does he play?", "He has practised the violin every evening since he was six.", "Our flight to Berlin was delayed by two hours.")]
    [InlineData("How did the interview go?", "I got the job offer after the meeting with their hiring team!", "The soup needs more salt and a little pepper.")]
    public async Task Paraphrases_are_clearly_closer_than_unrelated_texts(string query, string paraphrase, string unrelated)
    {
        var v = await EmbedAsync(Embedder, query, paraphrase, unrelated);
        Assert.True(Cosine(v[0], v[1]) > Cosine(v[0], v[2]) + 0.2, $"paraphrase {Cosine(v[0], v[1]):F3}, unrelated {Cosine(v[0], v[2]):F3}");
    }

    [Fact]
    public async Task Empty_and_blank_texts_give_the_zero_vector_and_null_is_refused()
    {
        var v = await EmbedAsync(Embedder, "", "  \n\t ");
        Assert.All(v, vector => Assert.All(vector, x => Assert.Equal(0f, x)));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Embedder.GenerateAsync(null!));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Embedder.GenerateAsync(["fine", null!]));
        Assert.Contains("position 1", error.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => Embedder.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 1536 }));
    }

    [Fact]
    public async Task Very_long_texts_are_cut_to_the_models_length()
    {
        // Two texts that differ only after the first 256 tokens embed identically.
        var opening = string.Join(' ', Enumerable.Repeat("We walked along the river and talked about the trip.", 40));
        var v = await EmbedAsync(Embedder, opening + " The end was about cats.", opening + " Something else entirely happened at the end.");
        Assert.Equal(v[0], v[1]);
        Assert.Equal(1.0, TensorPrimitives.Norm(v[0]), 4);
    }

    [Fact]
    public async Task Identical_texts_are_embedded_once()
    {
        var embedder = new SentenceEmbedder();
        var text = $"A sentence seen twice {Guid.NewGuid()}";
        var v = await EmbedAsync(embedder, text, text);
        Assert.Equal(v[0], v[1]);
        var (hitsBefore, _) = embedder.Cache.Stats;
        await EmbedAsync(embedder, text);
        Assert.Equal(hitsBefore + 1, embedder.Cache.Stats.Hits);
    }

    [Fact]
    public async Task A_cancelled_call_throws_and_the_embedder_keeps_working()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Embedder.GenerateAsync([$"never embedded {Guid.NewGuid()}"], cancellationToken: cancelled.Token));
        Assert.Single(await EmbedAsync(Embedder, "still works"));
    }

    [Fact]
    public async Task A_cuda_device_without_the_cuda_provider_falls_back_to_the_cpu()
    {
        // This build carries ONNX Runtime's CPU package: asked for CUDA, the session is made on the CPU
        // and gives the CPU's vectors.
        var device = new CudaDeviceInfo(true, "a test device", Ordinal: 0, Name: "Test GPU", Major: 8, Minor: 0);
        var embedder = new SentenceEmbedder(new SentenceEmbedderOptions { CacheEntries = 0 }, device);
        Assert.Equal("cpu", embedder.ExecutionProvider);
        Assert.Equal("cpu", new SentenceEmbedder(new SentenceEmbedderOptions { UseCuda = false }, device).ExecutionProvider);
        var text = "The Aurora release is set for 14 March.";
        Assert.Equal((await EmbedAsync(Embedder, text))[0], (await EmbedAsync(embedder, text))[0]);
    }

    [Fact]
    public void A_missing_model_is_a_clear_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-model-{Guid.NewGuid():N}.dll");
        var error = Assert.Throws<FileNotFoundException>(() => new SentenceEmbedder(new SentenceEmbedderOptions { ModelPath = missing }));
        Assert.Contains(missing, error.Message);
        var directory = Directory.CreateTempSubdirectory().FullName;
        try
        {
            Assert.Contains("model.onnx", Assert.Throws<FileNotFoundException>(() => SentenceModelFiles.Load(directory)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    [Fact]
    public void Bad_options_are_refused_by_name()
    {
        Assert.Equal("MaxTokens", Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbedderOptions { MaxTokens = 1000 }.Validate()).ParamName);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceEmbedderOptions { BatchSize = 0 }.Validate()).ParamName);
    }
}
