namespace Agents.Memory.Pipelines.Facts;

/// <summary>New messages to extract facts from, with the date they were observed (the prompt's "today").</summary>
public sealed record FactExtractionInput(IReadOnlyList<ConversationTurn> Messages, DateTimeOffset ObservedAt);

/// <summary>
/// A fact extracted from the messages; <paramref name="Subject"/> is who it is about, and
/// <paramref name="MessageIndex"/> the message it came from, when known (its sources are then that
/// message's alone).
/// </summary>
public sealed record ExtractedFact(string Text, string? Subject, int? MessageIndex = null);

/// <summary>An existing fact in the same scope, one of a new fact's nearest.</summary>
public sealed record FactCandidate(Guid Id, string Text, double Similarity);

/// <summary>A new fact with its nearest existing facts.</summary>
public sealed record FactWithCandidates(ExtractedFact Fact, IReadOnlyList<FactCandidate> Candidates);

/// <summary>Mem0's four events.</summary>
public enum FactEvent { Add, Update, Delete, None }

/// <summary>
/// The decision for one new fact (<see cref="FactIndex"/> into the input list). Add: store
/// <see cref="Text"/>. Update: <see cref="TargetId"/> becomes <see cref="Text"/> (the more informative
/// wording). Delete: <see cref="TargetId"/> is contradicted by the fact; it is retired and the fact is
/// stored. None: already known (by <see cref="TargetId"/> when given).
/// </summary>
public sealed record FactDecision(int FactIndex, FactEvent Event, string Text, Guid? TargetId);

/// <summary>Extracts facts from new messages.</summary>
public interface IFactExtractor
{
    ValueTask<IReadOnlyList<ExtractedFact>> ExtractAsync(FactExtractionInput input, CancellationToken cancellationToken);
}

/// <summary>Decides ADD / UPDATE / DELETE / NONE for each new fact against its candidates.</summary>
public interface IFactConsolidator
{
    ValueTask<IReadOnlyList<FactDecision>> ConsolidateAsync(IReadOnlyList<FactWithCandidates> facts, CancellationToken cancellationToken);
}
