using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Pipelines.Facts;

/// <summary>Thresholds of the offline consolidator.</summary>
public sealed class OfflineConsolidationOptions
{
    /// <summary>Cosine similarity at or above which a new fact is taken as already known.</summary>
    public double DuplicateSimilarity { get; set; } = 0.95;

    /// <summary>Share of one text's content words the other must hold to count as saying the same (or more).</summary>
    public double Containment { get; set; } = 0.9;

    /// <summary>Share of content words two texts must share before a negation flip counts as a contradiction.</summary>
    public double ContradictionOverlap { get; set; } = 0.8;
}

/// <summary>
/// Similarity-threshold consolidation, Mem0's four events without a model. NONE: the same text, a very
/// similar embedding, or a fact whose words an existing fact already holds. UPDATE: the new fact holds
/// all of an existing fact's words and more (the more informative wording wins, same id). DELETE: the
/// same words with a negation on one side only (retire the old, store the new). ADD otherwise.
/// </summary>
public sealed class OfflineFactConsolidator(OfflineConsolidationOptions? options = null) : IFactConsolidator
{
    private readonly OfflineConsolidationOptions _options = options ?? new OfflineConsolidationOptions();

    public ValueTask<IReadOnlyList<FactDecision>> ConsolidateAsync(IReadOnlyList<FactWithCandidates> facts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        cancellationToken.ThrowIfCancellationRequested();
        var decisions = new List<FactDecision>(facts.Count);
        var touched = new HashSet<Guid>();
        for (var i = 0; i < facts.Count; i++)
        {
            var fact = facts[i].Fact;
            var decision = Decide(i, fact, facts[i].Candidates, touched);
            if (decision.TargetId is { } id && decision.Event is FactEvent.Update or FactEvent.Delete) touched.Add(id);
            decisions.Add(decision);
        }
        return ValueTask.FromResult<IReadOnlyList<FactDecision>>(decisions);
    }

    private FactDecision Decide(int index, ExtractedFact fact, IReadOnlyList<FactCandidate> candidates, HashSet<Guid> touched)
    {
        var normal = TextSimilarity.Normalize(fact.Text);
        var stems = TextSimilarity.Stems(fact.Text);
        var negated = TextSimilarity.IsNegated(fact.Text);
        FactDecision? update = null, delete = null;
        foreach (var c in candidates.OrderByDescending(static c => c.Similarity))
        {
            if (TextSimilarity.Normalize(c.Text) == normal) return new FactDecision(index, FactEvent.None, fact.Text, c.Id);
            var other = TextSimilarity.Stems(c.Text);
            var otherNegated = TextSimilarity.IsNegated(c.Text);
            // A negation flip keeps most words (and a close embedding), so it is tested before near-duplicates.
            if (negated == otherNegated && c.Similarity >= _options.DuplicateSimilarity) return new FactDecision(index, FactEvent.None, fact.Text, c.Id);
            var newHoldsOld = TextSimilarity.Containment(other, stems);
            var oldHoldsNew = TextSimilarity.Containment(stems, other);
            if (negated != otherNegated)
            {
                // The negation words themselves are stop words, so the overlap compares the claim.
                if (Math.Min(newHoldsOld, oldHoldsNew) >= _options.ContradictionOverlap && !touched.Contains(c.Id))
                    delete ??= new FactDecision(index, FactEvent.Delete, fact.Text, c.Id);
                continue;
            }
            if (oldHoldsNew >= _options.Containment) return new FactDecision(index, FactEvent.None, fact.Text, c.Id);
            if (newHoldsOld >= _options.Containment && stems.Count > other.Count && !touched.Contains(c.Id))
                update ??= new FactDecision(index, FactEvent.Update, fact.Text, c.Id);
        }
        return delete ?? update ?? new FactDecision(index, FactEvent.Add, fact.Text, null);
    }
}
