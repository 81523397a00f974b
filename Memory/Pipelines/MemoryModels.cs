using Agents.Inference.Llm;
using Agents.Memory.Pipelines.Facts;
using Agents.Memory.Pipelines.Graph;
using Agents.Memory.Pipelines.Llm;
using Agents.Memory.Pipelines.Notes;
using Agents.Memory.Pipelines.Team;

namespace Agents.Memory.Pipelines;

/// <summary>
/// The decision makers of every pipeline, in one mode: <see cref="Offline"/> (deterministic, no model)
/// or <see cref="Llm"/> (structured calls through <see cref="IStructuredChat"/>). Parts can be mixed,
/// e.g. offline enrichment with LLM consolidation, by setting the properties.
/// </summary>
public sealed record MemoryModels
{
    public required INoteEnricher Enricher { get; init; }
    public required ILinkDecider LinkDecider { get; init; }
    public required IFactExtractor FactExtractor { get; init; }
    public required IFactConsolidator FactConsolidator { get; init; }
    public required IEntityExtractor EntityExtractor { get; init; }
    public required IRelationInvalidator RelationInvalidator { get; init; }

    /// <summary>G-Memory: condenses a finished task's trajectory.</summary>
    public ITaskCondenser TaskCondenser { get; init; } = new OfflineTaskCondenser();

    /// <summary>G-Memory: refines the insights.</summary>
    public IInsightRefiner InsightRefiner { get; init; } = new OfflineInsightRefiner();

    /// <summary>"offline", "llm" or "mixed": for logs and benchmark output.</summary>
    public string Mode { get; init; } = "mixed";

    public static MemoryModels Offline() => new()
    {
        Enricher = new OfflineNoteEnricher(),
        LinkDecider = new OfflineLinkDecider(),
        FactExtractor = new OfflineFactExtractor(),
        FactConsolidator = new OfflineFactConsolidator(),
        EntityExtractor = new OfflineEntityExtractor(),
        RelationInvalidator = new OfflineRelationInvalidator(),
        Mode = "offline",
    };

    public static MemoryModels Llm(IStructuredChat chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return new()
        {
            Enricher = new LlmNoteEnricher(chat),
            LinkDecider = new LlmLinkDecider(chat),
            FactExtractor = new LlmFactExtractor(chat),
            FactConsolidator = new LlmFactConsolidator(chat),
            EntityExtractor = new LlmEntityExtractor(chat),
            RelationInvalidator = new LlmRelationInvalidator(chat),
            TaskCondenser = new LlmTaskCondenser(chat),
            InsightRefiner = new LlmInsightRefiner(chat),
            Mode = "llm",
        };
    }

    /// <summary>LLM mode when a chat endpoint is configured, offline mode otherwise.</summary>
    public static MemoryModels For(IStructuredChat? chat) => chat is null ? Offline() : Llm(chat);
}
