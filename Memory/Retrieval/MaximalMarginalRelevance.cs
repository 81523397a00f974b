namespace Agents.Memory.Retrieval;

/// <summary>
/// Maximal marginal relevance (Carbonell and Goldstein, 1998): greedily picks the candidate maximising
/// lambda * relevance - (1 - lambda) * (highest similarity to an already picked one), so near-duplicates
/// give way to results that add something. lambda = 1 keeps the relevance order.
/// </summary>
public static class MaximalMarginalRelevance
{
    /// <summary>Indexes of <paramref name="relevance"/> in MMR order, at most <paramref name="count"/>.
    /// Relevance should be on the scale of the similarity (e.g. both in [0, 1]); ties go to the lower index.</summary>
    public static List<int> Select(IReadOnlyList<double> relevance, Func<int, int, double> similarity, double lambda, int count)
    {
        ArgumentNullException.ThrowIfNull(relevance);
        ArgumentNullException.ThrowIfNull(similarity);
        if (!double.IsFinite(lambda) || lambda is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must lie in [0, 1].");
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var picked = new List<int>(Math.Min(count, relevance.Count));
        var maxSimilarity = new double[relevance.Count];
        var remaining = new List<int>(Enumerable.Range(0, relevance.Count));
        while (picked.Count < count && remaining.Count > 0)
        {
            var best = -1;
            var bestValue = double.NegativeInfinity;
            foreach (var candidate in remaining)
            {
                var value = lambda * relevance[candidate] - (picked.Count == 0 ? 0 : (1 - lambda) * maxSimilarity[candidate]);
                if (value > bestValue) { bestValue = value; best = candidate; }
            }
            remaining.Remove(best);
            picked.Add(best);
            foreach (var candidate in remaining)
                maxSimilarity[candidate] = Math.Max(maxSimilarity[candidate], similarity(candidate, best));
        }
        return picked;
    }
}
