namespace Agents.Memory.Stores.Text;

/// <summary>Okapi BM25 (k1 1.2, b 0.75) as both stores rank full text, written once so that both give the
/// same double for the same statistics (the SQL form, <c>PostgresSql.Bm25Weight</c>, keeps this order of
/// operations too).</summary>
public static class Bm25
{
    /// <summary>A term's weight in a record of length <paramref name="dl"/> (k1 + 1 = 2.2, 1 - b = 0.25, as
    /// the SQL writes them, so that both give the same double).</summary>
    public static double Weight(double idf, double tf, double dl, double averageLength) =>
        idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * dl / averageLength));

    /// <summary>The idf of a term held by <paramref name="frequency"/> of <paramref name="documents"/> records:
    /// <c>ln(1 + (n - df + 0.5) / (df + 0.5))</c>.</summary>
    public static double Idf(double documents, double frequency) => Math.Log(1 + (documents - frequency + 0.5) / (frequency + 0.5));
}
