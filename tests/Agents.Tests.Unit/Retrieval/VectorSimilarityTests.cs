using Agents.Memory.Retrieval;

namespace Agents.Tests.Unit.Retrieval;

public sealed class VectorSimilarityTests
{
    [Fact]
    public void Cosine_of_directions_is_their_angle()
    {
        Assert.Equal(1.0, VectorSimilarity.Cosine([1f, 2f, 3f], [2f, 4f, 6f]), 6);
        Assert.Equal(0.0, VectorSimilarity.Cosine([1f, 0f], [0f, 5f]), 6);
        Assert.Equal(-1.0, VectorSimilarity.Cosine([1f, 1f], [-3f, -3f]), 6);
    }

    [Fact]
    public void Missing_mismatched_or_zero_vectors_score_zero_never_NaN()
    {
        float[]? missing = null;
        Assert.Equal(0.0, VectorSimilarity.Cosine(missing, [1f, 2f]));
        Assert.Equal(0.0, VectorSimilarity.Cosine([], []));
        Assert.Equal(0.0, VectorSimilarity.Cosine([1f, 2f], [1f, 2f, 3f]));
        Assert.Equal(0.0, VectorSimilarity.Cosine([0f, 0f], [1f, 2f]));
    }
}
