using Npgsql;
using Pgvector;

namespace Agents.Infra;

/// <summary>
/// The one place where embeddings cross Npgsql: as <see cref="Vector"/> (the <c>Pgvector</c> package),
/// on a data source built by <see cref="PostgresDataSource.Create"/>, which maps the type. pgvector
/// checks the dimension of a typed column, so a wrong-sized vector is refused by the server too.
/// </summary>
public static class PgVector
{
    /// <summary>A <c>vector</c> parameter (null: SQL NULL). Non-finite values are refused here, with
    /// the parameter's name, rather than by the server.</summary>
    public static NpgsqlParameter Parameter(string name, float[]? vector) =>
        vector is null
            ? new NpgsqlParameter(name, DBNull.Value) { DataTypeName = "vector" }
            : new NpgsqlParameter<Vector>(name, Finite(name, vector));

    /// <summary>A <c>vector[]</c> parameter of one vector per row (null elements: SQL NULL), checked as
    /// <see cref="Parameter"/> checks one.</summary>
    public static NpgsqlParameter ArrayParameter(string name, IEnumerable<float[]?> vectors) =>
        new NpgsqlParameter<Vector?[]>(name, vectors.Select(v => v is null ? null : Finite(name, v)).ToArray()) { DataTypeName = "vector[]" };

    private static Vector Finite(string name, float[] vector)
    {
        foreach (var x in vector)
        {
            if (!float.IsFinite(x))
                throw new ArgumentException($"Vector parameter '{name}' holds a non-finite value.", nameof(vector));
        }
        return new Vector(vector);
    }

    /// <summary>Reads a <c>vector</c> column (null if SQL NULL).</summary>
    public static float[]? Read(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<Vector>(ordinal).ToArray();
}
