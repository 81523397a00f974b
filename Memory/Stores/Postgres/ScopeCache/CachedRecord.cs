using System.Numerics.Tensors;
using Agents.Memory.Model;
using Agents.Memory.Stores.Text;

namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>
/// A record as PostgreSQL stores it, with what its searches read: the lexemes of its two tsvectors
/// (<c>search</c>, <c>content_search</c>) with their frequencies and the stored lengths, exactly as stored
/// (the store's own analysis, migration 0105), so a full-text ranking in process equals the one in SQL.
/// </summary>
internal sealed class CachedRecord
{
    public CachedRecord(MemoryRecord record, TextTerms search, TextTerms content)
    {
        Record = record;
        Search = search;
        Content = content;
        NormSquared = record.Embedding is { } e ? TensorPrimitives.Dot(e, e) : 0f;
    }

    public MemoryRecord Record { get; }
    public TextTerms Search { get; }
    public TextTerms Content { get; }

    /// <summary>Σ x² of the embedding, for cosines without recomputing it per search.</summary>
    public float NormSquared { get; }

    public TextTerms Terms(TextField field) => field == TextField.Content ? Content : Search;
}

/// <summary>A tsvector as ranking needs it: each lexeme with its number of positions (the term
/// frequency, 1 for a lexeme stored without positions), and the stored document length.</summary>
internal sealed record TextTerms(string[] Lexemes, int[] Frequencies, int Length)
{
    public static readonly TextTerms Empty = new([], [], 0);

    /// <summary>The store's analysis of a text, as its tsvector and length are stored.</summary>
    public static TextTerms Of(AnalyzedText text) => new(text.Terms, text.Frequencies, text.Length);
}
