using Agents.Memory.Model;

namespace Agents.Memory.Retrieval;

/// <summary>
/// What a query says beyond its words: the one speaker it names (matched against the speakers of the
/// candidate records, whole words, case-insensitive) and the absolute time it names. Each turns into a
/// multiplicative boost of a record's per-signal scores. Whatever the query, records that mostly ask
/// questions (see <see cref="QuestionShare"/>) are demoted, since they echo its words without answering
/// it, and so are records that say little (see <see cref="LengthPrior"/>).
/// </summary>
public sealed class QueryFeatures
{
    private readonly HybridRetrieverOptions _options;
    private readonly Dictionary<Guid, double> _lengthPriors = [];

    private QueryFeatures(HybridRetrieverOptions options, string? speaker, TimeRange? time)
    {
        _options = options;
        Speaker = speaker;
        Time = time;
    }

    /// <summary>The single speaker the query names; null when it names none or several (then no speaker is favoured).</summary>
    public string? Speaker { get; }

    /// <summary>The absolute time the query names, if any.</summary>
    public TimeRange? Time { get; }

    public static QueryFeatures Analyse(string query, IEnumerable<MemoryRecord> candidates, HybridRetrieverOptions options)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(options);
        var words = new HashSet<string>(SplitWords(query), StringComparer.OrdinalIgnoreCase);
        var named = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Many candidates share a speaker: each distinct one is split into words once.
        var considered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in candidates)
        {
            if (!record.Metadata.TryGetValue(options.SpeakerMetadataKey, out var speaker) || string.IsNullOrWhiteSpace(speaker)) continue;
            if (!considered.Add(speaker)) continue;
            var parts = SplitWords(speaker);
            if (parts.Count > 0 && parts.All(words.Contains)) named.Add(speaker);
        }
        return new QueryFeatures(options, named.Count == 1 ? named.First() : null, TemporalQueryParser.Parse(query));
    }

    /// <summary>The factor this record's per-signal scores are multiplied by (1: no boost).</summary>
    public double BoostFor(MemoryRecord record)
    {
        var boost = 1.0;
        if (Speaker is not null && _options.SpeakerBoost > 0
            && record.Metadata.TryGetValue(_options.SpeakerMetadataKey, out var speaker)
            && string.Equals(speaker, Speaker, StringComparison.OrdinalIgnoreCase))
            boost *= 1 + _options.SpeakerBoost;
        if (Time is { } range && _options.TimeBoost > 0)
        {
            var when = record.ValidAt ?? record.ObservedAt;
            if (when >= range.Start && when < range.End + _options.TimeSlack) boost *= 1 + _options.TimeBoost;
        }
        if (_options.QuestionDemotion > 0) boost *= 1 - _options.QuestionDemotion * QuestionShare.Of(record.Content);
        if (_options.LengthPriorTerms > 0)
        {
            // A record is usually boosted once per signal it appears in; its content is analysed once.
            if (!_lengthPriors.TryGetValue(record.Id, out var prior))
                _lengthPriors[record.Id] = prior = LengthPrior.Of(record.Content, _options.LengthPriorTerms);
            boost *= prior;
        }
        return boost;
    }

    private static List<string> SplitWords(string text)
    {
        var words = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i])) { i++; continue; }
            var start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            words.Add(text[start..i]);
        }
        return words;
    }
}
