using System.Numerics.Tensors;
using Agents.Inference.Offline;
using Microsoft.Extensions.AI;

namespace Agents.Tests.Unit.Offline;

public sealed class HashingEmbedderTests
{
    private static float Cosine(float[] a, float[] b) => TensorPrimitives.CosineSimilarity(a, b);

    [Fact]
    public void Same_text_gives_the_same_vector_across_instances()
    {
        var first = new HashingEmbedder().Embed("I adopted a rescue dog named Luna last week.");
        var second = new HashingEmbedder().Embed("I adopted a rescue dog named Luna last week.");
        Assert.Equal(first, second);
        Assert.Contains(first, x => x != 0);
    }

    [Fact]
    public void Vectors_are_unit_length()
    {
        var embedder = new HashingEmbedder();
        foreach (var text in new[] { "dog", "A much longer sentence about painting sunsets by the lake with my kids.", "2023 Paris Rome" })
            Assert.Equal(1.0, TensorPrimitives.Norm(embedder.Embed(text)), 4);
    }

    [Fact]
    public void Similar_texts_are_closer_than_unrelated_ones()
    {
        var embedder = new HashingEmbedder();
        var query = embedder.Embed("When did she paint the sunrise?");
        var related = embedder.Embed("I painted that lake sunrise last year!");
        var unrelated = embedder.Embed("The tournament final was on Saturday and our team won.");
        Assert.True(Cosine(query, related) > Cosine(query, unrelated) + 0.1, $"related {Cosine(query, related)}, unrelated {Cosine(query, unrelated)}");
        // Character n-grams tolerate inflection: "tourney" shares grams with "tournament".
        var tourney = embedder.Embed("won the tourney");
        Assert.True(Cosine(tourney, unrelated) > Cosine(tourney, related));
    }

    [Fact]
    public void Dimension_option_sets_the_vector_length()
    {
        var embedder = new HashingEmbedder(new HashingEmbedderOptions { Dimensions = 128 });
        Assert.Equal(128, embedder.Embed("hello world").Length);
        Assert.Equal(128, embedder.Dimensions);
        Assert.Equal(128, embedder.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
    }

    [Fact]
    public async Task GenerateAsync_embeds_each_value_and_refuses_a_different_dimension()
    {
        IEmbeddingGenerator<string, Embedding<float>> embedder = new HashingEmbedder();
        var result = await embedder.GenerateAsync(["one text", "another text"]);
        Assert.Equal(2, result.Count);
        Assert.Equal(384, result[0].Vector.Length);
        Assert.Equal(new HashingEmbedder().Embed("another text"), result[1].Vector.ToArray());
        await Assert.ThrowsAsync<ArgumentException>(() => embedder.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 1536 }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t")]
    [InlineData("?!... --")]
    [InlineData("the and of")]
    public void Text_without_features_gives_the_zero_vector(string text)
    {
        var vector = new HashingEmbedder().Embed(text);
        Assert.Equal(384, vector.Length);
        Assert.All(vector, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void Bad_input_and_options_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => new HashingEmbedder().Embed(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashingEmbedder(new HashingEmbedderOptions { Dimensions = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashingEmbedder(new HashingEmbedderOptions { CharNGramMin = 4, CharNGramMax = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashingEmbedder(new HashingEmbedderOptions { UnigramWeight = float.NaN }));
    }

    [Fact]
    public void Idf_table_changes_the_weight_of_words()
    {
        var plain = new HashingEmbedder();
        var weighted = new HashingEmbedder(new HashingEmbedderOptions { Idf = new Dictionary<string, float> { ["dog"] = 5f, ["walk"] = 0.1f } });
        var dog = plain.Embed("dog");
        // With "dog" weighted up, "dog walk" points almost where "dog" does.
        Assert.True(Cosine(weighted.Embed("dog walk"), dog) > Cosine(plain.Embed("dog walk"), dog));
    }
}
