using Agents.Memory.Retrieval;

namespace Agents.Tests.Unit.Retrieval;

public sealed class FusionTests
{
    [Fact]
    public void Rrf_sums_weight_over_k_plus_rank()
    {
        var fused = ReciprocalRankFusion.Fuse<string>([new(["a", "b", "c"], 1.0), new(["c", "a"], 0.5)], k: 60);
        var scores = fused.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(1.0 / 61 + 0.5 / 62, scores["a"], 12);
        Assert.Equal(1.0 / 62, scores["b"], 12);
        Assert.Equal(1.0 / 63 + 0.5 / 61, scores["c"], 12);
        Assert.Equal(["a", "c", "b"], fused.Select(p => p.Key));
    }

    [Fact]
    public void Rrf_weights_decide_between_disagreeing_lists()
    {
        Assert.Equal("x", ReciprocalRankFusion.Fuse<string>([new(["x", "y"], 1.0), new(["y", "x"], 0.2)])[0].Key);
        Assert.Equal("y", ReciprocalRankFusion.Fuse<string>([new(["x", "y"], 0.2), new(["y", "x"], 1.0)])[0].Key);
    }

    [Fact]
    public void Rrf_ties_keep_first_appearance_and_repeats_keep_their_best_rank()
    {
        var fused = ReciprocalRankFusion.Fuse<string>([new(["p", "q"], 1.0), new(["q", "p"], 1.0)]);
        Assert.Equal(["p", "q"], fused.Select(p => p.Key));
        var repeated = ReciprocalRankFusion.Fuse<string>([new(["r", "r", "s"], 1.0)]);
        Assert.Equal(1.0 / 61, repeated.Single(p => p.Key == "r").Value, 12);
    }

    [Fact]
    public void Rrf_refuses_bad_parameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReciprocalRankFusion.Fuse<string>([new(["a"], -1)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReciprocalRankFusion.Fuse<string>([new(["a"], 1)], k: double.NaN));
    }

    [Fact]
    public void Mmr_with_lambda_one_keeps_relevance_order()
    {
        var order = MaximalMarginalRelevance.Select([0.9, 0.5, 0.7], (_, _) => 1.0, 1.0, 3);
        Assert.Equal([0, 2, 1], order);
    }

    [Fact]
    public void Mmr_demotes_near_duplicates()
    {
        // 0 and 1 are the same document; 2 is different and a bit less relevant.
        double Similarity(int a, int b) => (a, b) is (0, 1) or (1, 0) ? 1.0 : 0.0;
        Assert.Equal([0, 1, 2], MaximalMarginalRelevance.Select([1.0, 0.95, 0.8], Similarity, 1.0, 3));
        Assert.Equal([0, 2, 1], MaximalMarginalRelevance.Select([1.0, 0.95, 0.8], Similarity, 0.5, 3));
        Assert.Equal([0, 2], MaximalMarginalRelevance.Select([1.0, 0.95, 0.8], Similarity, 0.5, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => MaximalMarginalRelevance.Select([1.0], Similarity, 1.5, 1));
    }
}
