using Npgsql;
using NpgsqlTypes;

namespace Agents.Infra;

/// <summary>
/// The one place where embeddings cross Npgsql. The <c>Pgvector</c> package targets Npgsql 7 and
/// fails to load with Npgsql 10, so vectors travel as <c>real[]</c>: SQL casts parameters with
/// <c>@p::vector</c> and reads columns as <c>col::real[]</c>. pgvector's casts check the
/// dimension of a typed column, so a wrong-sized vector is refused by the server too.
/// </summary>
public static class PgVector
{
    /// <summary>A <c>real[]</c> parameter; write <c>@name::vector</c> in the SQL.</summary>
    public static NpgsqlParameter Parameter(string name, ReadOnlyMemory<float> vector)
    {
        var array = vector.ToArray();
        foreach (var x in array)
        {
            if (!float.IsFinite(x))
                throw new ArgumentException($"Vector parameter '{name}' holds a non-finite value.", nameof(vector));
        }
        return new NpgsqlParameter<float[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Real) { TypedValue = array };
    }

    /// <summary>Reads a column selected as <c>col::real[]</c>.</summary>
    public static float[] Read(NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<float[]>(ordinal);
}
