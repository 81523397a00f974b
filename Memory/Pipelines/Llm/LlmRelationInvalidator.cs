using Agents.Inference.Llm;
using Agents.Memory.Pipelines.Graph;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>Contradicted relations by one structured call; relation ids hidden behind small integers and validated.</summary>
public sealed class LlmRelationInvalidator(IStructuredChat chat) : IRelationInvalidator
{
    public async ValueTask<IReadOnlyList<Guid>> FindContradictedAsync(IReadOnlyList<ExtractedRelation> newRelations, IReadOnlyList<ExistingRelation> existing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newRelations);
        ArgumentNullException.ThrowIfNull(existing);
        if (newRelations.Count == 0 || existing.Count == 0) return [];
        var map = new ShortIdMap();
        var shown = existing.Select(r => (map.KeyOf(r.Id), r)).ToList();
        var prompt = MemoryPrompts.RelationInvalidation(newRelations, shown);
        var dto = await chat.CompleteJsonAsync(prompt.System, prompt.User, PipelineJsonContext.Default.InvalidationDto, cancellationToken).ConfigureAwait(false);
        return (dto.Contradicted ?? []).Select(k => map.Resolve(k, "relation invalidation")).Distinct().ToList();
    }
}
