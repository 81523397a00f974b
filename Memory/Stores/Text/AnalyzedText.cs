namespace Agents.Memory.Stores.Text;

/// <summary>
/// A text as both stores index it for full-text search (<see cref="TextAnalyzer.Analyze"/>): its distinct
/// terms in ordinal order, each with its positions (1-based word numbers, stop words counted), and its
/// length. The PostgreSQL store stores exactly this as the record's tsvector and length, and the embedded
/// store ranks by the same terms, frequencies and length, so BM25 gives both the same scores.
/// </summary>
public sealed class AnalyzedText
{
    /// <summary>PostgreSQL's largest tsvector position: later words share it.</summary>
    public const int MaxPosition = 16_383;

    /// <summary>PostgreSQL's most positions of one lexeme in a tsvector: later ones are not kept.</summary>
    public const int MaxPositionsPerTerm = 256;

    public static readonly AnalyzedText Empty = new([], []);

    public AnalyzedText(string[] terms, int[][] positions)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(positions);
        if (terms.Length != positions.Length) throw new ArgumentException("One position list per term.", nameof(positions));
        Terms = terms;
        Positions = positions;
        var frequencies = new int[terms.Length];
        var length = 0;
        for (var i = 0; i < terms.Length; i++)
        {
            frequencies[i] = positions[i].Length;
            length += positions[i].Length;
        }
        Frequencies = frequencies;
        Length = length;
    }

    /// <summary>The distinct terms, in ordinal order.</summary>
    public string[] Terms { get; }

    /// <summary>Each term's positions, ascending.</summary>
    public int[][] Positions { get; }

    /// <summary>Each term's frequency: its number of positions kept.</summary>
    public int[] Frequencies { get; }

    /// <summary>The length BM25 normalises by: the positions kept, all terms together.</summary>
    public int Length { get; }
}
