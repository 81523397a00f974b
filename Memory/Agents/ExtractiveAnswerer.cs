using System.Text;
using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Agents;

/// <summary>
/// How an agent answers without a model: each question of the task gets the best memory found for it
/// (the retriever's ranking, vector and full text fused, with memories holding the kind of answer the
/// question wants first), different questions preferring different memories; each is quoted as it was
/// stored and cited, in the order of the questions. A question nothing answers is said so.
/// Deterministic: the same memories give the same answer.
/// </summary>
public static class ExtractiveAnswerer
{
    public static ComposedAnswer Compose(IReadOnlyList<string> questions, IReadOnlyList<IReadOnlyList<RecalledMemory>> found)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(found);
        if (questions.Count != found.Count) throw new ArgumentException("One list of memories per question.", nameof(found));
        var ranked = questions.Select((q, i) => Rerank(q, found[i])).ToArray();
        var chosen = Assign(ranked);
        var cited = new List<RecalledMemory>();
        var text = new StringBuilder();
        var unanswered = 0;
        for (var q = 0; q < questions.Count; q++)
        {
            if (chosen[q] is not { } best)
            {
                unanswered++;
                Append(text, $"Nothing in memory answers \"{questions[q]}\".");
                continue;
            }
            if (cited.Any(c => c.Id == best.Id || SameText(c.Text, best.Text))) continue;
            cited.Add(best);
            Append(text, $"{Sentence(best.Text)} [{cited.Count}]");
        }
        return new ComposedAnswer(text.ToString(), cited, unanswered);
    }

    /// <summary>
    /// The retriever's candidates scored relative to the best one (1), averaged with their similarity to
    /// the question relative to the most similar one's when every candidate has one (a second look at a
    /// few candidates: it tells paraphrases apart where many memories share the question's words), then discounted when they hold the
    /// kind of answer the question wants only vaguely or not at all (<see cref="AnswerType"/>: "when" wants
    /// "14 March" more than "January") or do not mention what the
    /// question names ("the Aurora launch" is not answered by a memory about Borealis), best first.
    /// </summary>
    private static IReadOnlyList<RecalledMemory> Rerank(string question, IReadOnlyList<RecalledMemory> candidates)
    {
        if (candidates.Count == 0) return candidates;
        var type = AnswerType.Of(question);
        var names = NameExtractor.Extract(question).Select(NameWords).Where(w => w.Count > 0).ToList();
        var top = candidates.Max(c => c.Score);
        (double Low, double High)? similar = candidates.All(c => c.Similarity is not null) ? SimilarityRange(candidates) : null;
        return candidates
            .Select((c, rank) =>
            {
                var relative = top > 0 ? c.Score / top : 1.0 / (rank + 1);
                if (similar is var (low, high) && high > low) relative = (relative + (c.Similarity!.Value - low) / (high - low)) / 2;
                var typed = type is null ? 1 : MissingTypeDiscount + (1 - MissingTypeDiscount) * AnswerType.Strength(c.Text, type, question);
                return c with { Score = relative * typed * NameAgreement(names, c.Text) };
            })
            .OrderByDescending(c => c.Score).ToArray();
    }

    private const double MissingTypeDiscount = 0.7;

    // From the least to the most similar candidate: similarities are compared among the candidates only,
    // since their absolute level depends on the embedder.
    private static (double Low, double High) SimilarityRange(IReadOnlyList<RecalledMemory> candidates) =>
        (candidates.Min(c => c.Similarity!.Value), candidates.Max(c => c.Similarity!.Value));

    /// <summary>1 when the memory mentions every name of the question, down to one half when it mentions none.</summary>
    private static double NameAgreement(List<HashSet<string>> names, string memory)
    {
        if (names.Count == 0) return 1;
        var words = NameWords(memory);
        var mentioned = names.Count(n => n.IsSubsetOf(words));
        return 0.5 + 0.5 * mentioned / names.Count;
    }

    // Lower-cased words without a possessive "'s", so "Aurora's" mentions "Aurora".
    private static HashSet<string> NameWords(string text) =>
        Tokenizer.Tokenize(text).Select(t => t.Lower.EndsWith("'s", StringComparison.Ordinal) ? t.Lower[..^2] : t.Lower)
            .Where(w => !Inference.Text.EnglishStopWords.Contains(w)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// One memory per question, preferring different memories for different questions: among each
    /// question's first few candidates, the choice with the best sum of relative scores where a memory
    /// counts once, so that a memory that fits two questions goes to the one it fits best.
    /// </summary>
    private static RecalledMemory?[] Assign(IReadOnlyList<IReadOnlyList<RecalledMemory>> ranked)
    {
        const int Depth = 3;
        var best = ranked.Select(r => r.FirstOrDefault()).ToArray();
        var bestScore = Score(best);
        var choice = new int[ranked.Count];
        void Search(int q)
        {
            if (q == ranked.Count)
            {
                var pick = choice.Select((c, i) => c < ranked[i].Count ? ranked[i][c] : null).ToArray();
                var score = Score(pick);
                if (score > bestScore + 1e-9) (best, bestScore) = (pick, score);
                return;
            }
            for (choice[q] = 0; choice[q] < Math.Max(1, Math.Min(Depth, ranked[q].Count)); choice[q]++) Search(q + 1);
        }
        if (ranked.Count <= 8) Search(0);
        return best;
    }

    private static double Score(RecalledMemory?[] pick)
    {
        var seen = new HashSet<Guid>();
        return pick.Where(m => m is not null && seen.Add(m.Id)).Sum(m => m!.Score);
    }

    /// <summary>The workers' answers joined in the order of their parts, each memory cited once, renumbered.</summary>
    public static ComposedAnswer Merge(IReadOnlyList<IReadOnlyList<RecalledMemory>> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var cited = new List<RecalledMemory>();
        var text = new StringBuilder();
        foreach (var memory in parts.SelectMany(p => p))
        {
            if (cited.Any(c => c.Id == memory.Id || SameText(c.Text, memory.Text))) continue;
            cited.Add(memory);
            Append(text, $"{Sentence(memory.Text)} [{cited.Count}]");
        }
        return new ComposedAnswer(text.Length > 0 ? text.ToString() : "The workers found nothing in memory.", cited, 0);
    }

    private static void Append(StringBuilder text, string sentence)
    {
        if (text.Length > 0) text.Append(' ');
        text.Append(sentence);
    }

    private static string Sentence(string memory)
    {
        var trimmed = memory.Trim().ReplaceLineEndings(" ");
        return trimmed.Length > 0 && char.IsPunctuation(trimmed[^1]) ? trimmed : trimmed + ".";
    }

    private static bool SameText(string a, string b) => TextSimilarity.Normalize(a) == TextSimilarity.Normalize(b);
}
