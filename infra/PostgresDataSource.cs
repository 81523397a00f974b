using Npgsql;
using Pgvector.Npgsql;

namespace Agents.Infra;

/// <summary>
/// Builds every <see cref="NpgsqlDataSource"/> the product, its tests and benchmarks open: pgvector's
/// types mapped (<c>UseVector</c>), so embeddings travel as <c>Pgvector.Vector</c>, and statements
/// prepared automatically once they recur (the store's statements are few and repeated; a prepared
/// one skips parsing and planning on the server). A connection goes back to the pool without the
/// session reset Npgsql sends by default (a statement of seven commands, run before the connection's
/// next use): the store sets nothing beyond a transaction, so there is nothing to reset.
/// </summary>
public static class PostgresDataSource
{
    /// <summary>Prepared statements kept per connection unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 128;

    public static NpgsqlDataSource Create(string connectionString, Action<NpgsqlDataSourceBuilder>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        // Unless the connection string says otherwise (Npgsql's builder knows every keyword, so the raw string is asked).
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose")) builder.ConnectionStringBuilder.NoResetOnClose = true;
        builder.UseVector();
        configure?.Invoke(builder);
        return builder.Build();
    }
}
