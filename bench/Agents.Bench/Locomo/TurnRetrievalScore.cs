namespace Agents.Bench.Locomo;

/// <summary>
/// Scoring over turns, per the README: walk the ranked memories, list the turns each came from, drop
/// repeats, keep the first k; Hit@k = all evidence among them, TurnRecall@k = fraction of evidence among them.
/// Accumulates per category (1-4) and overall.
/// </summary>
public sealed class TurnRetrievalScore
{
    private readonly Dictionary<int, double[]> _sums = new(); // n, hit5, hit10, recall10

    public static List<string> FirstTurns(IEnumerable<IReadOnlyList<string>> rankedSources, int k)
    {
        var turns = new List<string>(k);
        foreach (var sources in rankedSources)
        {
            foreach (var turn in sources)
            {
                if (turns.Count == k) return turns;
                if (!turns.Contains(turn)) turns.Add(turn);
            }
            if (turns.Count == k) break;
        }
        return turns;
    }

    public void Add(int category, IReadOnlyList<string> evidence, IReadOnlyList<string> firstTurns)
    {
        var top5 = firstTurns.Take(5).ToHashSet(StringComparer.Ordinal);
        var top10 = firstTurns.Take(10).ToHashSet(StringComparer.Ordinal);
        foreach (var key in new[] { category, 0 })
        {
            if (!_sums.TryGetValue(key, out var s)) _sums[key] = s = new double[4];
            s[0] += 1;
            s[1] += evidence.All(top5.Contains) ? 1 : 0;
            s[2] += evidence.All(top10.Contains) ? 1 : 0;
            s[3] += evidence.Count(top10.Contains) / (double)evidence.Count;
        }
    }

    /// <summary>Adds every question scored in <paramref name="other"/> to this score.</summary>
    public void AddFrom(TurnRetrievalScore other)
    {
        foreach (var (key, sums) in other._sums)
        {
            if (!_sums.TryGetValue(key, out var s)) _sums[key] = s = new double[4];
            for (var i = 0; i < s.Length; i++) s[i] += sums[i];
        }
    }

    /// <summary>(count, Hit@5, Hit@10, TurnRecall@10) of a category; 0 = overall.</summary>
    public (int Count, double Hit5, double Hit10, double Recall10) Get(int category)
    {
        if (!_sums.TryGetValue(category, out var s) || s[0] == 0) return (0, 0, 0, 0);
        return ((int)s[0], s[1] / s[0], s[2] / s[0], s[3] / s[0]);
    }
}
