using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Pipelines.Team;

/// <summary>
/// Deterministic insight refinement. A success proposes "For tasks about K: A1, then A2, then A3"
/// (its topic keywords and first key actions): AGREE with an insight that already says it (most of its
/// words), EDIT one it extends, ADD it otherwise. A failure votes down (REMOVE) insights recommending
/// the action that failed, and adds "For tasks about K, avoid A: it failed (reason)".
/// </summary>
public sealed class OfflineInsightRefiner : IInsightRefiner
{
    private const double SameRule = 0.8;

    public ValueTask<IReadOnlyList<InsightOperation>> RefineAsync(IReadOnlyList<CondensedTask> successes, IReadOnlyList<CondensedTask> failures, IReadOnlyList<InsightView> insights, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var ops = new List<InsightOperation>();
        var touched = new HashSet<Guid>();
        var added = new List<HashSet<string>>();
        foreach (var s in successes)
        {
            if (s.KeySteps.Count == 0) continue;
            var rule = $"For tasks about {Topic(s.Task)}: {string.Join(", then ", s.KeySteps.Take(3).Select(Action))}.";
            Propose(rule, insights, ops, touched, added);
        }
        foreach (var f in failures)
        {
            var failed = f.KeySteps.Count > 0 ? Action(f.KeySteps[^1]) : null;
            if (failed is null) continue;
            var failedStems = TextSimilarity.Stems(failed);
            foreach (var i in insights)
                if (!touched.Contains(i.Id) && !i.Text.Contains("avoid", StringComparison.OrdinalIgnoreCase)
                    && failedStems.Count > 0 && TextSimilarity.Containment(failedStems, TextSimilarity.Stems(i.Text)) >= SameRule && touched.Add(i.Id))
                    ops.Add(new InsightOperation(InsightOperationKind.Remove, i.Id, null));
            Propose($"For tasks about {Topic(f.Task)}, avoid {failed}: it failed ({f.FailureReason}).", insights, ops, touched, added);
        }
        return ValueTask.FromResult<IReadOnlyList<InsightOperation>>(ops);
    }

    private static void Propose(string rule, IReadOnlyList<InsightView> insights, List<InsightOperation> ops, HashSet<Guid> touched, List<HashSet<string>> added)
    {
        var stems = TextSimilarity.Stems(rule);
        foreach (var i in insights)
        {
            var existing = TextSimilarity.Stems(i.Text);
            if (TextSimilarity.Containment(stems, existing) >= SameRule)
            {
                if (touched.Add(i.Id)) ops.Add(new InsightOperation(InsightOperationKind.Agree, i.Id, null));
                return;
            }
            if (TextSimilarity.Containment(existing, stems) >= SameRule)
            {
                if (touched.Add(i.Id)) ops.Add(new InsightOperation(InsightOperationKind.Edit, i.Id, rule));
                return;
            }
        }
        if (added.Any(a => TextSimilarity.Containment(stems, a) >= SameRule)) return;
        added.Add(stems);
        ops.Add(new InsightOperation(InsightOperationKind.Add, null, rule));
    }

    // The task's general words: names ("Paris") make a rule about one task, not a kind of task.
    private static string Topic(string task) =>
        string.Join(", ", KeywordExtractor.Extract(task, 8).Select(static k => k.Text).Where(static k => !char.IsUpper(k[0])).Take(3));

    // "planner: search flights -> 3 found" -> "search flights"
    private static string Action(string step)
    {
        var colon = step.IndexOf(": ", StringComparison.Ordinal);
        var arrow = step.IndexOf(" -> ", StringComparison.Ordinal);
        var start = colon < 0 ? 0 : colon + 2;
        var end = arrow < 0 ? step.Length : arrow;
        return end > start ? step[start..end] : step;
    }
}
