using Agents.Infra;
using Agents.Tests.Integration.Infrastructure;
using Npgsql;

namespace Agents.Tests.Integration.Foundation;

public sealed class VectorRoundTripTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Vector_survives_a_round_trip_through_a_vector_column()
    {
        await using (var create = db.DataSource.CreateCommand("CREATE TABLE rt (id int PRIMARY KEY, v vector(4))"))
            await create.ExecuteNonQueryAsync();
        float[] sent = [0.5f, -1.25f, 3e-7f, 1e6f];
        await using (var insert = db.DataSource.CreateCommand("INSERT INTO rt VALUES (1, @v)"))
        {
            insert.Parameters.Add(PgVector.Parameter("v", sent));
            await insert.ExecuteNonQueryAsync();
        }
        await using var select = db.DataSource.CreateCommand("SELECT v, vector_dims(v) FROM rt WHERE id = 1");
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(sent, PgVector.Read(reader, 0));
        Assert.Equal(4, reader.GetInt32(1));
    }

    [Fact]
    public async Task Vector_of_the_wrong_dimension_is_refused_by_the_server()
    {
        await using (var create = db.DataSource.CreateCommand("CREATE TABLE dim (v vector(3))"))
            await create.ExecuteNonQueryAsync();
        await using var insert = db.DataSource.CreateCommand("INSERT INTO dim VALUES (@v)");
        insert.Parameters.Add(PgVector.Parameter("v", new float[] { 1, 2 }));
        var error = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
        Assert.Contains("expected 3 dimensions, not 2", error.MessageText);
    }

    [Fact]
    public async Task Vectors_travel_as_pgvector_values_without_casts()
    {
        // The data source maps pgvector's type: a parameter is sent as vector and a column reads as Vector.
        await using var select = db.DataSource.CreateCommand("SELECT @v, pg_typeof(@v)::text, NULL::vector");
        select.Parameters.Add(PgVector.Parameter("v", new float[] { 1, 2, 3 }));
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.IsType<Pgvector.Vector>(reader.GetValue(0));
        Assert.Equal("vector", reader.GetString(1));
        Assert.Equal(new float[] { 1, 2, 3 }, PgVector.Read(reader, 0));
        Assert.Null(PgVector.Read(reader, 2));
    }

    [Fact]
    public void Non_finite_values_are_refused_before_they_reach_the_server()
    {
        var error = Assert.Throws<ArgumentException>(() => PgVector.Parameter("v", new[] { 1f, float.NaN }));
        Assert.Contains("non-finite", error.Message);
    }
}
