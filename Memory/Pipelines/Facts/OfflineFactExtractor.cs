using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Pipelines.Facts;

/// <summary>
/// Deterministic fact extraction: each informative sentence of a message becomes a fact, rewritten in
/// the third person about its speaker ("I adopted a cat" by Ann -> "Ann adopted a cat") with relative
/// dates pinned to the observation date. Questions, greetings and sentences with fewer than
/// <see cref="MinContentWords"/> content words carry no fact and are skipped.
/// </summary>
public sealed class OfflineFactExtractor : IFactExtractor
{
    public const int MinContentWords = 2;

    public ValueTask<IReadOnlyList<ExtractedFact>> ExtractAsync(FactExtractionInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        var facts = new List<ExtractedFact>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < input.Messages.Count; index++)
        {
            var message = input.Messages[index];
            if (string.Equals(message.Speaker, "system", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var sentence in SentenceSplitter.Split(message.Content))
            {
                if (sentence.EndsWith('?')) continue;
                if (Tokenizer.ContentWords(sentence).Count < MinContentWords) continue;
                if (IsAboutTheListener(sentence)) continue;
                var text = PerspectiveRewriter.PinRelativeDates(PerspectiveRewriter.ToThirdPerson(sentence, message.Speaker), input.ObservedAt);
                if (seen.Add(TextSimilarity.Normalize(text))) facts.Add(new ExtractedFact(text, message.Speaker, index));
            }
        }
        return ValueTask.FromResult<IReadOnlyList<ExtractedFact>>(facts);
    }

    private static readonly HashSet<string> FirstPerson = new(StringComparer.Ordinal) { "i", "i'm", "i've", "i'd", "i'll", "me", "my", "mine", "myself", "we", "we're", "we've", "our", "us" };
    private static readonly HashSet<string> SecondPerson = new(StringComparer.Ordinal) { "you", "you're", "you've", "you'd", "you'll", "your", "yours", "yourself" };

    // "You're doing an awesome job!" is a remark to the listener, not a fact the speaker states about
    // anyone by name; a sentence that also speaks of the speaker ("I told you my plan") is kept.
    private static bool IsAboutTheListener(string sentence)
    {
        var second = false;
        foreach (var t in Tokenizer.Tokenize(sentence))
        {
            if (FirstPerson.Contains(t.Lower)) return false;
            if (SecondPerson.Contains(t.Lower)) second = true;
        }
        return second;
    }
}
