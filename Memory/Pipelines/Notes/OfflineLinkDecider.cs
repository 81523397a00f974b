using Agents.Memory.Pipelines.Text;

namespace Agents.Memory.Pipelines.Notes;

/// <summary>Thresholds of the offline link decider.</summary>
public sealed class OfflineLinkOptions
{
    /// <summary>Cosine similarity at or above which a neighbour is linked whatever its words.</summary>
    public double LinkSimilarity { get; set; } = 0.6;

    /// <summary>Keyword stems a neighbour must share to be linked below <see cref="LinkSimilarity"/>.</summary>
    public int SharedKeywords { get; set; } = 2;

    /// <summary>Most tags a note carries after evolution.</summary>
    public int MaxTags { get; set; } = 6;
}

/// <summary>
/// Deterministic A-MEM evolution. Strengthen: link the new note to neighbours that are very similar or
/// share keywords. The new note's tags gain the tags most of its linked neighbours agree on; each
/// linked neighbour gains the new note's tags that another linked neighbour also carries (a shared
/// theme emerging). Evolve: a neighbour the new note follows in its conversation gets the new turn
/// quoted in its context (<see cref="ConversationContext"/>), so each note ends up with the turns around it.
/// </summary>
public sealed class OfflineLinkDecider(OfflineLinkOptions? options = null) : ILinkDecider
{
    private readonly OfflineLinkOptions _options = options ?? new OfflineLinkOptions();

    public ValueTask<LinkDecision> DecideAsync(NoteSnapshot note, IReadOnlyList<NeighbourNote> neighbours, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(neighbours);
        cancellationToken.ThrowIfCancellationRequested();
        var noteStems = KeywordStems(note.Keywords);
        var linked = new List<NeighbourNote>();
        foreach (var n in neighbours)
        {
            if (n.Note.Id == note.Id) continue;
            var shared = 0;
            foreach (var s in KeywordStems(n.Note.Keywords)) if (noteStems.Contains(s)) shared++;
            if (n.Similarity >= _options.LinkSimilarity || shared >= _options.SharedKeywords) linked.Add(n);
        }
        var tagVotes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in linked)
            foreach (var t in n.Note.Tags.Distinct(StringComparer.Ordinal))
                if (!OfflineNoteEnricher.ActTags.Contains(t)) tagVotes[t] = tagVotes.GetValueOrDefault(t) + 1;

        var newTags = new List<string>(note.Tags);
        foreach (var (tag, votes) in tagVotes.OrderByDescending(static p => p.Value).ThenBy(static p => p.Key, StringComparer.Ordinal))
        {
            if (newTags.Count >= _options.MaxTags) break;
            if (votes * 2 > linked.Count && votes >= 2 && !newTags.Contains(tag)) newTags.Add(tag);
        }

        var rewrites = new List<NeighbourRewrite>();
        var linkedIds = linked.Select(static n => n.Note.Id).ToHashSet();
        var quote = ConversationContext.Quote(note.Speaker, note.Content);
        foreach (var n in neighbours)
        {
            if (n.Note.Id == note.Id) continue;
            var tags = new List<string>(n.Note.Tags);
            if (linkedIds.Contains(n.Note.Id))
            {
                foreach (var t in note.Tags)
                {
                    if (tags.Count >= _options.MaxTags) break;
                    if (!tags.Contains(t) && tagVotes.GetValueOrDefault(t) >= 1) tags.Add(t);
                }
            }
            // A turn the new note follows learns what came next (its context quotes the new turn).
            var context = n.Precedes ? ConversationContext.Append(n.Note.Context, quote) : n.Note.Context;
            if (tags.Count != n.Note.Tags.Count || context != n.Note.Context) rewrites.Add(new NeighbourRewrite(n.Note.Id, context, tags));
        }

        if (linked.Count == 0 && rewrites.Count == 0) return ValueTask.FromResult(LinkDecision.None);
        return ValueTask.FromResult(new LinkDecision(
            linked.ConvertAll(static n => n.Note.Id),
            newTags.Count != note.Tags.Count ? newTags : null,
            rewrites));
    }

    private static HashSet<string> KeywordStems(IReadOnlyList<string> keywords)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var k in keywords)
            foreach (var t in Tokenizer.Tokenize(k)) set.Add(Stemmer.Stem(t.Lower));
        return set;
    }
}
