namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>Lexeme → (record, term frequency) for one text field of a cached scope, so a query visits
/// only the records holding one of its lexemes. Not thread-safe: the scope's lock guards it.</summary>
internal sealed class TextPostings
{
    private readonly Dictionary<string, Dictionary<Guid, int>> _postings = new(StringComparer.Ordinal);

    public void Add(Guid id, TextTerms terms)
    {
        for (var i = 0; i < terms.Lexemes.Length; i++)
        {
            if (!_postings.TryGetValue(terms.Lexemes[i], out var records))
                _postings[terms.Lexemes[i]] = records = [];
            records[id] = terms.Frequencies[i];
        }
    }

    public void Remove(Guid id, TextTerms terms)
    {
        foreach (var lexeme in terms.Lexemes)
        {
            if (!_postings.TryGetValue(lexeme, out var records)) continue;
            records.Remove(id);
            if (records.Count == 0) _postings.Remove(lexeme);
        }
    }

    public IReadOnlyDictionary<Guid, int>? Of(string lexeme) => _postings.GetValueOrDefault(lexeme);
}
