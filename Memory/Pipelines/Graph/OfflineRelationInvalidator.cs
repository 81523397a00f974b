using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Pipelines.Graph;

/// <summary>
/// Without a model, a relation is contradicted when a new relation of the same single-valued type
/// (<see cref="RelationPatterns.IsSingleValued"/>) leaves the same source for a different target:
/// "Ann lives_in Paris" closes "Ann lives_in Rome".
/// </summary>
public sealed class OfflineRelationInvalidator : IRelationInvalidator
{
    public ValueTask<IReadOnlyList<Guid>> FindContradictedAsync(IReadOnlyList<ExtractedRelation> newRelations, IReadOnlyList<ExistingRelation> existing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newRelations);
        ArgumentNullException.ThrowIfNull(existing);
        cancellationToken.ThrowIfCancellationRequested();
        var closed = new List<Guid>();
        foreach (var old in existing)
        {
            if (!RelationPatterns.IsSingleValued(old.Relation)) continue;
            var source = NameExtractor.Normalize(old.Source);
            var target = NameExtractor.Normalize(old.Target);
            foreach (var r in newRelations)
            {
                if (r.Relation != old.Relation || NameExtractor.Normalize(r.Source) != source) continue;
                if (NameExtractor.Normalize(r.Target) == target) continue;
                closed.Add(old.Id);
                break;
            }
        }
        return ValueTask.FromResult<IReadOnlyList<Guid>>(closed);
    }
}
