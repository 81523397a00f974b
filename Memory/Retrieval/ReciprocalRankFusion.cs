namespace Agents.Memory.Retrieval;

/// <summary>
/// Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): an item's fused score is the sum over
/// the ranked lists holding it of weight / (k + rank), rank counted from 1. Rank-based, so signals with
/// incomparable score scales (cosine, BM25, graph) combine without calibration; k damps the head.
/// </summary>
public static class ReciprocalRankFusion
{
    public const int DefaultK = 60;

    /// <summary>One ranked list (best first, no repeats expected; a repeat keeps its best rank) and its weight.</summary>
    public readonly record struct RankedList<TKey>(IReadOnlyList<TKey> Items, double Weight);

    /// <summary>Fused scores, best first; ties keep the order of first appearance across the lists.</summary>
    public static List<KeyValuePair<TKey, double>> Fuse<TKey>(IReadOnlyList<RankedList<TKey>> lists, double k = DefaultK)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(lists);
        if (!double.IsFinite(k) || k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be finite and non-negative.");
        var scores = new Dictionary<TKey, double>();
        var firstSeen = new Dictionary<TKey, int>();
        foreach (var list in lists)
        {
            if (!double.IsFinite(list.Weight) || list.Weight < 0)
                throw new ArgumentOutOfRangeException(nameof(lists), list.Weight, "A list weight must be finite and non-negative.");
            var seen = new HashSet<TKey>();
            for (var i = 0; i < list.Items.Count; i++)
            {
                var item = list.Items[i];
                if (!seen.Add(item)) continue;
                firstSeen.TryAdd(item, firstSeen.Count);
                scores[item] = scores.GetValueOrDefault(item) + list.Weight / (k + i + 1);
            }
        }
        var fused = scores.ToList();
        fused.Sort((x, y) => y.Value.CompareTo(x.Value) is var c && c != 0 ? c : firstSeen[x.Key].CompareTo(firstSeen[y.Key]));
        return fused;
    }
}
