namespace Agents.Memory.Stores.Postgres;

/// <summary>What ANALYZE keeps of a full-text column, as <see cref="PostgresLargeTextSearch"/> weighs terms
/// with it: the most common lexemes' shares of the rows, the row count and the average length in words.</summary>
internal sealed record TableTextStatistics(IReadOnlyDictionary<string, double> CommonShares, double Documents, double AverageLength)
{
    /// <summary>The most common lexemes, as the statement that counts the others takes them.</summary>
    public string[] CommonLexemes { get; } = [.. CommonShares.Keys];
}
