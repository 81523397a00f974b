using Agents.Inference.Llm;
using Agents.Memory.Pipelines.Team;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>
/// G-Memory's insight refinement by one structured call: the model compares successful and failed
/// tasks with the current insights (shown as "0", "1", ...) and answers ADD / AGREE n / EDIT n /
/// REMOVE n. Every id is mapped back and validated; an unknown one fails the call before anything changes.
/// </summary>
public sealed class LlmInsightRefiner(IStructuredChat chat) : IInsightRefiner
{
    private const string Step = "insight refinement";

    public async ValueTask<IReadOnlyList<InsightOperation>> RefineAsync(IReadOnlyList<CondensedTask> successes, IReadOnlyList<CondensedTask> failures, IReadOnlyList<InsightView> insights, CancellationToken cancellationToken)
    {
        var map = new ShortIdMap();
        var shown = insights.Select(i => (map.KeyOf(i.Id), i)).ToList();
        var prompt = MemoryPrompts.InsightRefinement(successes, failures, shown);
        var dto = await chat.CompleteJsonAsync(prompt.System, prompt.User, PipelineJsonContext.Default.InsightOperationsDto, cancellationToken).ConfigureAwait(false);
        var ops = new List<InsightOperation>();
        foreach (var o in dto.Operations ?? [])
        {
            var kind = o.Op?.Trim().ToUpperInvariant() switch
            {
                "ADD" => InsightOperationKind.Add,
                "AGREE" => InsightOperationKind.Agree,
                "EDIT" => InsightOperationKind.Edit,
                "REMOVE" => InsightOperationKind.Remove,
                _ => throw new InvalidModelDecisionException(Step, $"unknown operation \"{o.Op}\" (expected ADD, AGREE, EDIT or REMOVE)"),
            };
            Guid? target = kind == InsightOperationKind.Add ? null : map.Resolve(o.Id, Step);
            if (kind is InsightOperationKind.Add or InsightOperationKind.Edit && string.IsNullOrWhiteSpace(o.Text))
                throw new InvalidModelDecisionException(Step, $"{kind} needs the rule's text");
            ops.Add(new InsightOperation(kind, target, o.Text?.Trim()));
        }
        return ops;
    }
}
