using Agents.Tests.Integration.Platform.TestGrains;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace Agents.Tests.Integration.Platform;

/// <summary>Grain state through Orleans' ADO.NET grain storage over our schema (0052): from grains on a
/// real silo, and from the storage provider itself where a test needs two writers of one state.</summary>
public sealed class OrleansGrainStorageTests(SingleSiloCluster cluster) : IClassFixture<SingleSiloCluster>
{
    private const string StateName = "stored-counter";    // StoredCounterGrain's [PersistentState] name
    private IGrainStorage Storage => cluster.Silo.Services.GetRequiredKeyedService<IGrainStorage>(OrleansOnPostgres.StorageName);

    private static string NewKey() => $"k-{Guid.NewGuid():N}";
    private static GrainState<StoredCounterState> Fresh() => new(new StoredCounterState());

    [Fact]
    public async Task State_round_trips_and_survives_deactivation()
    {
        var key = NewKey();
        var grain = cluster.Grains.GetGrain<IStoredCounterGrain>(key);
        var first = await grain.AddAsync(5, "five");
        Assert.Equal((5, "1", true), (first.Value, first.ETag, first.RecordExists));
        Assert.Equal((7, "2"), ((await grain.AddAsync(2, "two")).Value, (await grain.GetAsync()).ETag));

        await grain.DeactivateAsync();
        CounterSnapshot again = null!;
        await Eventually.TrueAsync(async () => (again = await grain.GetAsync()).Activation != first.Activation, "the grain comes back as a new activation");
        Assert.Equal((7, "2", true), (again.Value, again.ETag, again.RecordExists));

        // One row, named by the state's name and the string key.
        var row = Assert.Single(await StateRowsAsync(key));
        Assert.Equal((StateName, 0L, 0L, 2, true), (row.StateName, row.N0, row.N1, row.Version, row.HasPayload));
    }

    [Fact]
    public async Task A_write_with_a_stale_ETag_fails_with_InconsistentStateException()
    {
        // Two writers of one state, as two activations of one grain would be.
        var id = GrainId.Create("writer", NewKey());
        var (one, two) = (Fresh(), Fresh());
        await Storage.ReadStateAsync(StateName, id, one);
        await Storage.ReadStateAsync(StateName, id, two);
        Assert.Null(one.ETag);

        one.State!.Value = 1;
        await Storage.WriteStateAsync(StateName, id, one);
        Assert.Equal("1", one.ETag);
        two.State!.Value = 2;
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, id, two));   // it read nothing, but a row exists now

        await Storage.ReadStateAsync(StateName, id, two);                 // catches up
        Assert.Equal(("1", 1), (two.ETag, two.State!.Value));
        await Storage.WriteStateAsync(StateName, id, one);                // one moves on to version 2
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, id, two));   // two still holds version 1
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, id, two));

        var check = Fresh();
        await Storage.ReadStateAsync(StateName, id, check);
        Assert.Equal(("2", 1), (check.ETag, check.State!.Value));
    }

    [Fact]
    public async Task A_grain_whose_state_was_written_behind_its_back_gets_the_exception_then_recovers()
    {
        var key = NewKey();
        var grain = cluster.Grains.GetGrain<IStoredCounterGrain>(key);
        await grain.AddAsync(1, "mine");

        var other = Fresh();
        await Storage.ReadStateAsync(StateName, grain.GetGrainId(), other);
        other.State!.Value = 100;
        await Storage.WriteStateAsync(StateName, grain.GetGrainId(), other);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.AddAsync(1, "stale"));
        // Orleans deactivates a grain after this exception; the next activation reads the other write.
        CounterSnapshot now = null!;
        await Eventually.TrueAsync(async () => (now = await grain.GetAsync()).Value == 100, "a new activation reads the other writer's state");
        Assert.Equal(101, (await grain.AddAsync(1, "fresh")).Value);
    }

    [Fact]
    public async Task Of_two_first_writes_at_once_exactly_one_is_stored()
    {
        foreach (var id in new[]
                 {
                     GrainId.Create("racer", NewKey()),                                                        // string key
                     GrainId.Create(GrainType.Create("racer"), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid())), // no extension: NULL in the name
                 })
        {
            var writers = Enumerable.Range(0, 4).Select(i => new GrainState<StoredCounterState>(new StoredCounterState { Value = i })).ToArray();
            var outcomes = await Task.WhenAll(writers.Select(async w =>
            {
                try { await Storage.WriteStateAsync(StateName, id, w); return true; }
                catch (InconsistentStateException) { return false; }
            }));
            Assert.Single(outcomes, stored => stored);
            var winner = writers[Array.IndexOf(outcomes, true)];
            var read = Fresh();
            await Storage.ReadStateAsync(StateName, id, read);
            Assert.Equal((winner.State!.Value, "1"), (read.State!.Value, read.ETag));
        }
    }

    [Fact]
    public async Task Integer_and_Guid_keys_with_and_without_extensions_name_different_rows()
    {
        var guid = Guid.NewGuid();
        var ids = new[]
        {
            GrainId.Create(GrainType.Create("keys"), GrainIdKeyExtensions.CreateIntegerKey(42)),
            GrainId.Create(GrainType.Create("keys"), GrainIdKeyExtensions.CreateIntegerKey(42, "ext")),
            GrainId.Create(GrainType.Create("keys"), GrainIdKeyExtensions.CreateGuidKey(guid)),
            GrainId.Create(GrainType.Create("keys"), GrainIdKeyExtensions.CreateGuidKey(guid, "ext")),
        };
        var stateName = $"keys-{Guid.NewGuid():N}";
        for (var i = 0; i < ids.Length; i++)
            await Storage.WriteStateAsync(stateName, ids[i], new GrainState<StoredCounterState>(new StoredCounterState { Value = i }));

        for (var i = 0; i < ids.Length; i++)
        {
            var read = Fresh();
            await Storage.ReadStateAsync(stateName, ids[i], read);
            Assert.Equal((i, "1"), (read.State!.Value, read.ETag));
        }
        var rows = await StateRowsByNameAsync(stateName);
        Assert.Equal(4, rows.Count);
        Assert.Contains(rows, r => r is { N0: 0, N1: 42, Extension: null });
        Assert.Contains(rows, r => r is { N0: 0, N1: 42, Extension: "ext" });
        Assert.Equal(2, rows.Count(r => r.N0 != 0 && r.Extension is null or "ext"));
    }

    [Fact]
    public async Task Clearing_keeps_the_row_without_state_at_a_new_version()
    {
        var key = NewKey();
        var grain = cluster.Grains.GetGrain<IStoredCounterGrain>(key);
        await grain.AddAsync(3, "three");
        var before = Fresh();
        await Storage.ReadStateAsync(StateName, grain.GetGrainId(), before);

        var cleared = await grain.ClearAsync();
        Assert.Equal((0, "2", false), (cleared.Value, cleared.ETag, cleared.RecordExists));
        var row = Assert.Single(await StateRowsAsync(key));
        Assert.Equal((2, false), (row.Version, row.HasPayload));

        await grain.DeactivateAsync();
        CounterSnapshot again = null!;
        await Eventually.TrueAsync(async () => (again = await grain.GetAsync()).Activation != cleared.Activation, "the grain comes back as a new activation");
        Assert.Equal((0, "2", false), (again.Value, again.ETag, again.RecordExists));
        Assert.Equal((4, "3"), ((await grain.AddAsync(4, "four")).Value, (await grain.GetAsync()).ETag));

        // An ETag from before the clear never matches again.
        before.State!.Value = 99;
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grain.GetGrainId(), before));
    }

    [Fact]
    public async Task With_DeleteStateOnClear_a_clear_deletes_the_row()
    {
        var key = NewKey();
        var grain = cluster.Grains.GetGrain<IDeletingCounterGrain>(key);
        await grain.AddAsync(3, "three");
        Assert.Single(await StateRowsAsync(key));

        var cleared = await grain.ClearAsync();
        Assert.Equal((0, null, false), (cleared.Value, cleared.ETag, cleared.RecordExists));
        Assert.Empty(await StateRowsAsync(key));
        Assert.Equal((5, "1"), ((await grain.AddAsync(5, "five")).Value, (await grain.GetAsync()).ETag));
    }

    [Fact]
    public async Task The_version_wraps_to_one_instead_of_overflowing()
    {
        var key = NewKey();
        var id = GrainId.Create("wrap", key);
        var state = Fresh();
        await Storage.WriteStateAsync(StateName, id, state);
        await using (var jump = cluster.DataSource.CreateCommand("UPDATE orleans_grain_state SET version = 2147483647 WHERE grain_id_extension = $1"))
        {
            jump.Parameters.AddWithValue(key);
            Assert.Equal(1, await jump.ExecuteNonQueryAsync());
        }

        await Storage.ReadStateAsync(StateName, id, state);
        Assert.Equal("2147483647", state.ETag);
        await Storage.WriteStateAsync(StateName, id, state);
        Assert.Equal("1", state.ETag);
    }

    private sealed record StateRow(string StateName, long N0, long N1, string? Extension, int Version, bool HasPayload);

    private Task<List<StateRow>> StateRowsAsync(string stringKey) =>
        QueryRowsAsync("grain_id_extension = $1", stringKey);

    private Task<List<StateRow>> StateRowsByNameAsync(string stateName) =>
        QueryRowsAsync("state_name = $1", stateName);

    private async Task<List<StateRow>> QueryRowsAsync(string where, string value)
    {
        await using var command = cluster.DataSource.CreateCommand(
            $"SELECT state_name, grain_id_n0, grain_id_n1, grain_id_extension, version, payload IS NOT NULL FROM orleans_grain_state WHERE service_id = $2 AND {where}");
        command.Parameters.AddWithValue(value);
        command.Parameters.AddWithValue(cluster.Cluster.ServiceId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<StateRow>();
        while (await reader.ReadAsync())
            rows.Add(new StateRow(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(4), reader.GetBoolean(5)));
        return rows;
    }
}
