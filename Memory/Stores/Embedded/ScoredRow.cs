namespace Agents.Memory.Stores.Embedded;

/// <summary>A row of a scan and its score, ordered by score, then the lower row first (so a top k
/// over rows is the same whatever order they are scanned in).</summary>
internal readonly record struct ScoredRow(float Score, int Row) : IComparable<ScoredRow>
{
    public int CompareTo(ScoredRow other) => Score != other.Score ? Score.CompareTo(other.Score) : other.Row.CompareTo(Row);
}
