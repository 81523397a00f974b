using Agents.Inference.Llm;
using Agents.Memory.Pipelines.Facts;
using Agents.Memory.Pipelines.Graph;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>Entities and relations by one structured call. A relation naming an entity that is not listed adds that entity.</summary>
public sealed class LlmEntityExtractor(IStructuredChat chat) : IEntityExtractor
{
    public async ValueTask<GraphExtraction> ExtractAsync(FactExtractionInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var prompt = MemoryPrompts.EntityExtraction(input);
        var dto = await chat.CompleteJsonAsync(prompt.System, prompt.User, PipelineJsonContext.Default.GraphDto, cancellationToken).ConfigureAwait(false);
        var entities = new Dictionary<string, ExtractedEntity>(StringComparer.Ordinal);
        foreach (var e in dto.Entities ?? [])
            if (!string.IsNullOrWhiteSpace(e.Name))
                entities.TryAdd(Text.NameExtractor.Normalize(e.Name), new ExtractedEntity(e.Name.Trim(), string.IsNullOrWhiteSpace(e.Type) ? "entity" : e.Type.Trim().ToLowerInvariant()));
        var relations = new List<ExtractedRelation>();
        foreach (var r in dto.Relations ?? [])
        {
            if (string.IsNullOrWhiteSpace(r.Source) || string.IsNullOrWhiteSpace(r.Target) || string.IsNullOrWhiteSpace(r.Relation))
                throw new InvalidModelDecisionException("entity extraction", "a relation lacks its source, relation or target");
            var rel = new ExtractedRelation(r.Source.Trim(), r.Relation.Trim().ToLowerInvariant().Replace(' ', '_'), r.Target.Trim());
            entities.TryAdd(Text.NameExtractor.Normalize(rel.Source), new ExtractedEntity(rel.Source, "entity"));
            entities.TryAdd(Text.NameExtractor.Normalize(rel.Target), new ExtractedEntity(rel.Target, "entity"));
            relations.Add(rel);
        }
        return new GraphExtraction(entities.Values.ToList(), relations);
    }
}
