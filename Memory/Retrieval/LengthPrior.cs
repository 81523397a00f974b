using Agents.Memory.Stores.Text;

namespace Agents.Memory.Retrieval;

/// <summary>
/// A prior on how much a record says: sqrt(n / (n + c)) for a content of n index terms (stop words
/// dropped, as the full-text index counts them). Language-model retrieval has long used document-length
/// priors; here the reason is conversational. A turn like "Thanks, glad you liked it!" matches a query only
/// through the words its context quotes or one it shares by chance, and rarely holds an answer itself.
/// Near 1 for a record of many more than c terms; a record of c terms keeps 71% of its score.
/// </summary>
public static class LengthPrior
{
    /// <summary>The factor for <paramref name="content"/> (1 when <paramref name="halfTerms"/> is 0: no prior).</summary>
    public static double Of(string content, double halfTerms)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!double.IsFinite(halfTerms) || halfTerms < 0) throw new ArgumentOutOfRangeException(nameof(halfTerms), halfTerms, "The prior's term count must be finite and non-negative.");
        if (halfTerms == 0) return 1;
        var n = TextAnalyzer.CountTerms(content);
        return Math.Sqrt(n / (n + halfTerms));
    }
}
