using Agents.Memory.Pipelines.Facts;
using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Pipelines.Graph;

/// <summary>
/// Name-based entities without a model: the speakers (persons) and capitalised spans. Relations: a
/// recognised phrase (<see cref="RelationPatterns"/>) between a subject (the speaker for a first-person
/// sentence, else the name right before the phrase) and the name right after it; and "mentions" from
/// a speaker to every other name they use.
/// </summary>
public sealed class OfflineEntityExtractor : IEntityExtractor
{
    private static readonly HashSet<string> PlacePrepositions = new(StringComparer.Ordinal) { "in", "at", "to", "from", "near", "visited", "visit" };

    public ValueTask<GraphExtraction> ExtractAsync(FactExtractionInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        var speakers = input.Messages.Select(static m => m.Speaker).Where(static s => !string.IsNullOrWhiteSpace(s)).Select(static s => s!).Distinct(StringComparer.Ordinal).ToList();
        var entities = new Dictionary<string, ExtractedEntity>(StringComparer.Ordinal);
        var relations = new List<ExtractedRelation>();
        var relationKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in speakers) entities.TryAdd(NameExtractor.Normalize(s), new ExtractedEntity(s, "person"));

        foreach (var message in input.Messages)
        {
            foreach (var raw in SentenceSplitter.Split(message.Content))
            {
                var sentence = PerspectiveRewriter.ToThirdPerson(raw, message.Speaker);
                var names = NameExtractor.Extract(sentence, speakers);
                foreach (var name in names)
                    entities.TryAdd(NameExtractor.Normalize(name), new ExtractedEntity(name, TypeOf(sentence, name, speakers)));
                foreach (var r in PatternRelations(sentence, names))
                    if (relationKeys.Add(Key(r))) relations.Add(r);
                if (message.Speaker is null) continue;
                foreach (var name in names)
                {
                    if (NameExtractor.Normalize(name) == NameExtractor.Normalize(message.Speaker)) continue;
                    var r = new ExtractedRelation(message.Speaker, "mentions", name);
                    if (relationKeys.Add(Key(r))) relations.Add(r);
                }
            }
        }
        return ValueTask.FromResult(new GraphExtraction(entities.Values.ToList(), relations));
    }

    private static IEnumerable<ExtractedRelation> PatternRelations(string sentence, List<string> names)
    {
        var lower = sentence.ToLowerInvariant();
        foreach (var p in RelationPatterns.All)
        {
            var at = IndexOfPhrase(lower, p.Phrase);
            if (at < 0) continue;
            var afterPhrase = at + p.Phrase.Length;
            string? subject = null, target = null;
            var subjectEnd = -1;
            var targetStart = int.MaxValue;
            foreach (var n in names)
            {
                var pos = sentence.IndexOf(n, StringComparison.Ordinal);
                if (pos < 0) continue;
                if (pos + n.Length <= at && pos > subjectEnd) { subject = n; subjectEnd = pos; }
                if (pos >= afterPhrase && pos < targetStart && pos - afterPhrase <= 12) { target = n; targetStart = pos; }
            }
            if (subject is not null && target is not null) yield return new ExtractedRelation(subject, p.Relation, target);
        }
    }

    private static int IndexOfPhrase(string lower, string phrase)
    {
        var at = 0;
        while ((at = lower.IndexOf(phrase, at, StringComparison.Ordinal)) >= 0)
        {
            var end = at + phrase.Length;
            if ((at == 0 || !char.IsLetter(lower[at - 1])) && (end >= lower.Length || !char.IsLetter(lower[end]))) return at;
            at = end;
        }
        return -1;
    }

    private static string TypeOf(string sentence, string name, List<string> speakers)
    {
        if (speakers.Exists(s => NameExtractor.Normalize(s) == NameExtractor.Normalize(name))) return "person";
        var at = sentence.IndexOf(name, StringComparison.Ordinal);
        var before = Tokenizer.Tokenize(sentence[..Math.Max(0, at)]);
        return before.Count > 0 && PlacePrepositions.Contains(before[^1].Lower) ? "place" : "entity";
    }

    private static string Key(ExtractedRelation r) => $"{NameExtractor.Normalize(r.Source)}|{r.Relation}|{NameExtractor.Normalize(r.Target)}";
}
