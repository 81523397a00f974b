using Agents.Memory.Pipelines.Text;
using Microsoft.Extensions.AI;

namespace Agents.Tests.Unit.Memory.Pipelines;

/// <summary>
/// A tiny deterministic embedder for the tests: stemmed words and character trigrams hashed into a
/// fixed number of dimensions, L2-normalised. Texts sharing words are close; unrelated texts are not.
/// </summary>
public sealed class HashingEmbedder(int dimension = 384) : IEmbeddingGenerator<string, Embedding<float>>
{
    public int Calls { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var v in values) { Calls++; result.Add(new Embedding<float>(Embed(v))); }
        return Task.FromResult(result);
    }

    public float[] Embed(string text)
    {
        var vector = new float[dimension];
        foreach (var t in Tokenizer.Tokenize(text))
        {
            var stem = Stemmer.Stem(t.Lower);
            Add(vector, "w:" + stem, NonTopicWords.Contains(t.Lower) ? 0.2f : 1f);
            var padded = $" {t.Lower} ";
            for (var i = 0; i + 3 <= padded.Length; i++) Add(vector, "c:" + padded.Substring(i, 3), 0.3f);
        }
        var norm = MathF.Sqrt(vector.Sum(static x => x * x));
        if (norm == 0) { vector[0] = 1; return vector; }
        for (var i = 0; i < vector.Length; i++) vector[i] /= norm;
        return vector;
    }

    private void Add(float[] vector, string feature, float weight)
    {
        var h = 2166136261u;
        foreach (var c in feature) { h ^= c; h *= 16777619u; }
        vector[h % (uint)dimension] += (h & 0x80000000) != 0 ? weight : -weight;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() { }
}
