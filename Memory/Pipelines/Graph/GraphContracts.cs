using Agents.Memory.Pipelines.Facts;

namespace Agents.Memory.Pipelines.Graph;

/// <summary>An entity named in the messages.</summary>
public sealed record ExtractedEntity(string Name, string Type);

/// <summary>A typed relation between two named entities ("Alice" -lives_in-> "Paris").</summary>
public sealed record ExtractedRelation(string Source, string Relation, string Target);

/// <summary>What an entity extractor found.</summary>
public sealed record GraphExtraction(IReadOnlyList<ExtractedEntity> Entities, IReadOnlyList<ExtractedRelation> Relations)
{
    public static GraphExtraction Empty { get; } = new([], []);
}

/// <summary>A relation already in the graph, still valid, touching an entity of the new ones.</summary>
public sealed record ExistingRelation(Guid Id, string Source, string Relation, string Target);

/// <summary>Extracts entities and relations from new messages.</summary>
public interface IEntityExtractor
{
    ValueTask<GraphExtraction> ExtractAsync(FactExtractionInput input, CancellationToken cancellationToken);
}

/// <summary>Finds the existing relations that the new ones contradict or make outdated (to be closed, never deleted).</summary>
public interface IRelationInvalidator
{
    ValueTask<IReadOnlyList<Guid>> FindContradictedAsync(IReadOnlyList<ExtractedRelation> newRelations, IReadOnlyList<ExistingRelation> existing, CancellationToken cancellationToken);
}
