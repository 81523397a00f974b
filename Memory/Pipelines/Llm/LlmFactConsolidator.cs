using Agents.Inference.Llm;
using Agents.Memory.Pipelines.Facts;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>
/// Mem0 consolidation by one structured call over all new facts and the union of their candidates.
/// Candidates are shown under "0", "1", ... (<see cref="ShortIdMap"/>), never their real ids. The answer
/// is validated as a whole: an unknown id or event, or two changes to one memory, fail the call before
/// anything is applied. A fact the model leaves out is added, so no fact is ever lost silently.
/// </summary>
public sealed class LlmFactConsolidator(IStructuredChat chat) : IFactConsolidator
{
    private const string Step = "consolidation";

    public async ValueTask<IReadOnlyList<FactDecision>> ConsolidateAsync(IReadOnlyList<FactWithCandidates> facts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.Count == 0) return [];
        var map = new ShortIdMap();
        var shown = new List<(string Key, string Text)>();
        foreach (var f in facts)
            foreach (var c in f.Candidates)
            {
                var before = map.Count;
                var key = map.KeyOf(c.Id);
                if (map.Count > before) shown.Add((key, c.Text));
            }
        // Nothing to compare with: every fact is new, no call needed.
        if (map.Count == 0) return facts.Select(static (f, i) => new FactDecision(i, FactEvent.Add, f.Fact.Text, null)).ToList();

        var prompt = MemoryPrompts.Consolidation(facts, shown);
        var dto = await chat.CompleteJsonAsync(prompt.System, prompt.User, PipelineJsonContext.Default.ConsolidationDto, cancellationToken).ConfigureAwait(false);

        var decisions = new FactDecision?[facts.Count];
        var changed = new HashSet<Guid>();
        foreach (var d in dto.Decisions ?? [])
        {
            if (d.Fact < 0 || d.Fact >= facts.Count) throw new InvalidModelDecisionException(Step, $"fact number {d.Fact} does not exist (0..{facts.Count - 1})");
            if (decisions[d.Fact] is not null) throw new InvalidModelDecisionException(Step, $"fact {d.Fact} has two decisions");
            var ev = ParseEvent(d.Event);
            var text = string.IsNullOrWhiteSpace(d.Text) ? facts[d.Fact].Fact.Text : d.Text.Trim();
            Guid? target = null;
            switch (ev)
            {
                case FactEvent.Update or FactEvent.Delete:
                    target = map.Resolve(d.Id, Step);
                    if (!changed.Add(target.Value)) throw new InvalidModelDecisionException(Step, $"memory \"{d.Id}\" is changed by two decisions");
                    break;
                case FactEvent.None when !string.IsNullOrWhiteSpace(d.Id):
                    target = map.Resolve(d.Id, Step);
                    break;
            }
            // A DELETE keeps the new fact's own wording: it is the fact that replaces the contradicted one.
            decisions[d.Fact] = new FactDecision(d.Fact, ev, ev == FactEvent.Delete ? facts[d.Fact].Fact.Text : text, target);
        }
        var result = new List<FactDecision>(facts.Count);
        for (var i = 0; i < facts.Count; i++)
            result.Add(decisions[i] ?? new FactDecision(i, FactEvent.Add, facts[i].Fact.Text, null));
        return result;
    }

    private static FactEvent ParseEvent(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "ADD" => FactEvent.Add,
        "UPDATE" => FactEvent.Update,
        "DELETE" => FactEvent.Delete,
        "NONE" or "NOOP" => FactEvent.None,
        _ => throw new InvalidModelDecisionException(Step, $"unknown event \"{value}\" (expected ADD, UPDATE, DELETE or NONE)"),
    };
}
