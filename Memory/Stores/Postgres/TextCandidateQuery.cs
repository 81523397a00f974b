namespace Agents.Memory.Stores.Postgres;

/// <summary>
/// MaxScore pruning for a BM25 search, as a tsquery: a record's score is at most the sum of the bounds of
/// the query terms it holds, so only records holding a set of terms whose bounds reach the threshold can
/// score that much. The query names those sets (each as an AND of its terms, under one OR), so the GIN
/// index hands over only records that can, and a term common enough to weigh little on its own is asked
/// for only together with others.
/// </summary>
internal static class TextCandidateQuery
{
    /// <summary>Terms the sets are built from: the ones with the largest bounds. The rest only lower the
    /// threshold the sets must reach (a record may hold all of them), which keeps the query small.</summary>
    public const int MaxTerms = 10;

    // Bounds are sums of doubles compared with a score summed by the server: a set within this of the
    // threshold counts as reaching it, so rounding can only widen the candidates.
    private const double Slack = 1e-9;

    /// <summary>
    /// The tsquery of the records that may score at least <paramref name="threshold"/>, or null when none
    /// can (the bounds of all terms add up to less). A threshold no higher than the smallest bound asks
    /// for every record holding any term (<paramref name="all"/> is then true: the candidates are every match).
    /// </summary>
    public static string? Build(IReadOnlyList<(string Lexeme, double Bound)> terms, double threshold, out bool all)
    {
        ArgumentNullException.ThrowIfNull(terms);
        all = false;
        if (terms.Count == 0) return null;
        var sorted = terms.OrderByDescending(static t => t.Bound).ThenBy(static t => t.Lexeme, StringComparer.Ordinal).ToList();
        var total = sorted.Sum(static t => t.Bound);
        if (total < threshold - Slack) return null;
        if (threshold <= sorted[^1].Bound + Slack)
        {
            all = true;
            return Any(sorted);
        }
        var chosen = sorted.Take(MaxTerms).ToList();
        var need = threshold - sorted.Skip(MaxTerms).Sum(static t => t.Bound);
        if (need <= Slack)
        {
            all = true;
            return Any(sorted);
        }
        var suffix = new double[chosen.Count + 1];
        for (var i = chosen.Count - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + chosen[i].Bound;
        var query = Reaching(chosen, suffix, 0, need);
        return query switch
        {
            null => null,
            "" => Any(sorted),
            _ => query,
        };
    }

    /// <summary>A term as a tsquery operand: quoted, so it is taken as the lexeme it is.</summary>
    public static string Quote(string lexeme) => "'" + lexeme.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Any(IEnumerable<(string Lexeme, double Bound)> terms) => string.Join(" | ", terms.Select(static t => Quote(t.Lexeme)));

    // The records whose terms from i on reach need: "" when every record does (need met), null when none can.
    private static string? Reaching(List<(string Lexeme, double Bound)> terms, double[] suffix, int i, double need)
    {
        if (need <= Slack) return "";
        if (suffix[i] < need - Slack) return null;
        var with = Reaching(terms, suffix, i + 1, need - terms[i].Bound);
        var without = Reaching(terms, suffix, i + 1, need);
        var term = Quote(terms[i].Lexeme);
        string? holding = with switch
        {
            null => null,
            "" => term,
            _ => $"{term} & ( {with} )",
        };
        if (holding is null) return without;
        if (without is null) return holding;
        return $"( {holding} ) | ( {without} )";
    }
}
